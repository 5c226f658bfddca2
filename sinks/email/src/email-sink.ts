import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { coreServices, defineSink, DeliveryError, serviceOptionsReader } from '@herald/plugin-sdk';
import { emailPluginConfigSchema, emailServiceConfigSchema, emailTemplateSchema } from './email.config.ts';
import { buildMessage } from './email-message.ts';

import { scrub, smtpFailure } from './smtp-failure.ts';
import { TransportPool } from './transport-pool.ts';

/**
 * Argo's email service: one SMTP transaction per `send`, over a pooled connection per service (STARTTLS
 * when offered, TLS on 465, AUTH PLAIN/LOGIN). Herald's delivery runtime retries what is retryable.
 */
export default defineSink({
  id: 'email',
  description: "Sends notifications as email over SMTP, like Argo's email service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['email'],
  configSchema: emailPluginConfigSchema,
  serviceConfigSchema: emailServiceConfigSchema,
  templateSchema: emailTemplateSchema,
  deps: { logger: coreServices.logger, tracer: coreServices.tracer },
  async init({ config, logger, tracer }) {
    const pool = new TransportPool(config);
    let stopped: Promise<void> | undefined;
    const serviceConfig = serviceOptionsReader('email', emailServiceConfigSchema);

    return {
      async send(notification, { signal, service, attempt }) {
        const what = `email "${service.name}"`;
        if (stopped) throw DeliveryError.transient(`${what}: the sink is stopped`);
        const options = serviceConfig(service);
        const secrets = options.password ? [options.password] : [];
        const message = buildMessage(notification, service.name, options);
        const log = { service: service.name, stateKey: notification.stateKey, attempt, recipients: message.to.length };
        const attributes = { 'server.address': options.host, 'server.port': options.port, 'messaging.message.id': message.messageId };
        await tracer.startActiveSpan(`SMTP ${options.host}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
          try {
            // The signal fails a queued message, or closes the one connection sending it (a hanging server).
            await pool.get(service.name, options).sendMail({ ...message, signal });
          } catch (err) {
            const failure = signal.aborted
              ? DeliveryError.transient(`${what}: send aborted: ${scrub(signal.reason instanceof Error ? signal.reason.message : String(signal.reason), secrets)}`, { cause: signal.reason })
              : smtpFailure(what, err, secrets);
            span.setAttribute('error.type', signal.aborted ? 'aborted' : String((err as { responseCode?: number; code?: string }).responseCode ?? (err as { code?: string }).code ?? 'error'));
            span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
            logger.debug({ ...log, retryable: failure.retryable, error: failure.message }, 'email send failed');
            throw failure;
          } finally {
            span.end();
          }
        });
        logger.debug(log, 'email delivered');
      },

      stop() {
        stopped ??= Promise.resolve().then(() => pool.close(false));
        return stopped;
      },
    };
  },
});
