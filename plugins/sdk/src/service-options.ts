import type { z } from 'zod';
import type { ServiceInstance } from './define-plugin.ts';
import { DeliveryError } from './errors.ts';
import { maskSecrets } from './mask-secrets.ts';

/**
 * Reads a service's options with the sink's `serviceConfigSchema`, once per options object.
 *
 * Herald hands `send` options it has already parsed with that schema when the notification config loaded.
 * A sink reads them through this too when it may be given options that did not come that way (its own
 * tests, a tool of its own): whatever the caller, `send` sees the schema's output.
 *
 * Options the schema refuses throw a permanent {@link DeliveryError}, one entry per problem, each named by its
 * ConfigMap key (`service.<type>[.<name>]` and the path inside it), an unknown key by its own name:
 * `slack "alerts": invalid service options: service.slack.alerts.tokn: unknown key`. The text is zod's
 * message, which names what was expected, not the value given; the service's secrets are masked in it
 * all the same (a schema's own message may quote a value).
 */
export function serviceOptionsReader<S extends z.ZodType>(sinkType: string, schema: S): (service: ServiceInstance<unknown>) => z.output<S> {
  const parsed = new WeakMap<object, z.output<S>>();
  return (service) => {
    const raw = service.config;
    const cacheable = typeof raw === 'object' && raw !== null;
    const known = cacheable ? parsed.get(raw) : undefined;
    if (known !== undefined) return known;
    const result = schema.safeParse(raw);
    if (!result.success) {
      const key = service.name === service.type ? ['service', service.type] : ['service', service.type, service.name];
      const issues = result.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((k) => `${[...key, ...issue.path.map(String), k].join('.')}: unknown key`)
          : [`${[...key, ...issue.path.map(String)].join('.')}: ${issue.message}`],
      );
      throw DeliveryError.permanent(maskSecrets(`${sinkType} "${service.name}": invalid service options: ${issues.join('; ')}`, service.secrets));
    }
    if (cacheable) parsed.set(raw, result.data);
    return result.data;
  };
}
