import { createTransport } from 'nodemailer';
import type { EmailPluginConfig, EmailServiceConfig } from './email.config.ts';

function open(options: EmailServiceConfig, plugin: EmailPluginConfig) {
  return createTransport({
    pool: true,
    host: options.host,
    port: options.port,
    // 465 is TLS from the first byte; elsewhere nodemailer upgrades with STARTTLS whenever the server offers it.
    secure: options.port === 465,
    ...(options.username === undefined ? {} : { auth: { user: options.username, pass: options.password ?? '' } }),
    tls: { rejectUnauthorized: !options.insecure_skip_verify },
    connectionTimeout: plugin.timeout,
    greetingTimeout: plugin.timeout,
    socketTimeout: plugin.timeout,
    maxConnections: plugin.maxConnections,
    maxMessages: plugin.maxMessagesPerConnection,
    logger: false,
    debug: false,
  });
}

/**
 * One pooled SMTP transport per configured service, replaced when the service's options change (a config
 * reload hands the sink a new options object).
 */
export class TransportPool {
  readonly #transports = new Map<string, { options: EmailServiceConfig; transport: ReturnType<typeof open> }>();
  readonly #plugin: EmailPluginConfig;

  constructor(plugin: EmailPluginConfig) {
    this.#plugin = plugin;
  }

  get(service: string, options: EmailServiceConfig): ReturnType<typeof open> {
    const known = this.#transports.get(service);
    if (known?.options === options) return known.transport;
    if (known) known.transport.close();
    const transport = open(options, this.#plugin);
    this.#transports.set(service, { options, transport });
    return transport;
  }

  /** Closes every connection; `force` also cuts those in the middle of a message. */
  close(force: boolean): void {
    for (const { transport } of this.#transports.values()) transport.close({ force });
    this.#transports.clear();
  }
}
