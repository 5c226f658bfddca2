import { durationSchema, secret, z } from '@herald/plugin-sdk';
import { addressOf } from './email-address.ts';

// YAML writes an empty option as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? undefined : value), schema);

// A `$secret` reference is substituted as text: `port: $smtp-port` arrives as "587".
const port = z.preprocess((value) => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value), z.number().int().min(1).max(65_535));

const address = z.string().refine((value) => addressOf(value) !== undefined, 'is not an email address (name@example.com or "Name <name@example.com>")');

/**
 * Options of one `service.email[.<name>]` entry: Argo's email service options, snake_case included. Port
 * 465 speaks TLS from the first byte; any other port upgrades with STARTTLS when the server offers it.
 */
export const emailServiceConfigSchema = z.strictObject({
  /** SMTP server host name or IP. */
  host: z.string().trim().min(1, 'must name the SMTP server'),
  /** SMTP port: 465 is implicit TLS; 587 and 25 upgrade with STARTTLS when offered. */
  port: unsetIfNull(port.default(25)),
  /** AUTH user name (PLAIN or LOGIN, as the server offers); no AUTH when absent. */
  username: unsetIfNull(z.string().optional()),
  /** AUTH password, usually `$email-password` from the notifications Secret. */
  password: unsetIfNull(secret(z.string()).optional()),
  /** The sender: `name@example.com` or `Name <name@example.com>`. */
  from: address,
  /** Send the body as HTML instead of plain text. */
  html: unsetIfNull(z.boolean().default(false)),
  /** Skip TLS certificate verification (STARTTLS and port 465) for this service only. */
  insecure_skip_verify: unsetIfNull(z.boolean().default(false)),
});

export type EmailServiceConfig = z.output<typeof emailServiceConfigSchema>;
export type EmailServiceConfigInput = z.input<typeof emailServiceConfigSchema>;

/** Options of the email plugin itself (`plugins[i].options` in herald.yaml). */
export const emailPluginConfigSchema = z.strictObject({
  /** Bound on connecting, on the server's greeting and on every SMTP command's reply (Go duration or ms). */
  timeout: durationSchema()
    .refine((ms) => ms > 0, 'must be longer than 0')
    .default(10_000),
  /** SMTP connections open to one service at once (the pool's size). */
  maxConnections: z.number().int().min(1).max(100).default(5),
  /** Messages sent over one connection before it is replaced. */
  maxMessagesPerConnection: z.number().int().min(1).default(100),
});

export type EmailPluginConfig = z.output<typeof emailPluginConfigSchema>;

/** The `email` block of a `template.<name>` entry (template text until rendered); `body` overrides `message`. */
export const emailTemplateSchema = z.strictObject({ subject: z.string().optional(), body: z.string().optional() });
