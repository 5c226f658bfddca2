import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`nkey:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

const bounded = (maxMs: number) => durationSchema().refine((ms) => ms > 0 && ms <= maxMs, `must be longer than 0 and at most ${maxMs / HOUR}h`);

/** One server URL: nats://, tls:// (or a bare host:port, as nats.go takes it). */
function isServerUrl(value: string): boolean {
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `nats://${value}`;
  try {
    const url = new URL(withScheme);
    return ['nats:', 'tls:'].includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Options of one `service.nats[.<name>]` entry: Argo's nats service options, unchanged, plus Herald's
 * `timeout`. `url` may list several servers separated by commas, as nats.go's Connect takes it.
 */
export const natsServiceConfigSchema = z.strictObject({
  /** Server URL(s), e.g. nats://nats.nats.svc:4222 (comma-separated for a cluster). */
  url: z
    .string()
    .min(1, 'is required (e.g. nats://nats.nats.svc:4222)')
    .refine((value) => value.split(',').every((u) => isServerUrl(u.trim())), 'must be nats:// or tls:// server URLs, separated by commas'),
  /** Headers set on every message (names kept as written). */
  headers: unsetIfNull(z.record(z.string(), z.string()).optional()),
  /** NKey seed (`SU…`) to authenticate with; usually `$nats-nkey` from the notifications Secret. */
  nkey: unsetIfNull(secret(z.string()).optional()),
  /** User name; used with `password` (both set, as Argo requires). */
  username: unsetIfNull(z.string().optional()),
  /** Password of `username`. */
  password: unsetIfNull(secret(z.string()).optional()),
  /** Herald: bound on connecting and on the server's acknowledgement of one publish. Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded(HOUR).optional()),
});

export type NatsServiceConfig = z.output<typeof natsServiceConfigSchema>;
export type NatsServiceConfigInput = z.input<typeof natsServiceConfigSchema>;

/** Options of the nats plugin itself (`plugins[i].options` in herald.yaml). */
export const natsPluginConfigSchema = z.strictObject({
  /** Bound on connecting and publishing for services that set no `timeout`. */
  timeout: bounded(HOUR).default(10_000),
});

export type NatsPluginConfig = z.output<typeof natsPluginConfigSchema>;
