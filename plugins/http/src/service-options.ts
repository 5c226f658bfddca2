import { DeliveryError, type ServiceInstance, type z } from '@herald/plugin-sdk';

/**
 * Reads a service's options with the sink's own schema, once per options object. Herald parses them when
 * the config loads; parsing again keeps the sink safe from options that did not come that way. The
 * error names keys and what is wrong with them, never a value (a value may be a secret).
 */
export function serviceOptionsReader<S extends z.ZodType>(sinkType: string, schema: S): (service: ServiceInstance<unknown>) => z.output<S> {
  const parsed = new WeakMap<object, z.output<S>>();
  return (service) => {
    const raw = service.config;
    const known = typeof raw === 'object' && raw !== null ? parsed.get(raw) : undefined;
    if (known) return known;
    const result = schema.safeParse(raw);
    if (!result.success) {
      const issues = result.error.issues.map((issue) => `${['service', service.type, ...issue.path.map(String)].join('.')}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : 'invalid'}`);
      throw DeliveryError.permanent(`${sinkType} "${service.name}": invalid service options: ${issues.join('; ')}`);
    }
    if (typeof raw === 'object' && raw !== null) parsed.set(raw, result.data);
    return result.data;
  };
}
