// `scripts/dev bench`: notifications per second through the email sink into a real Mailpit (SMTP on
// loopback, pooled connections), at one send at a time and with several in flight as core/delivery runs them.
import { performance } from 'node:perf_hooks';
import { trace } from '@opentelemetry/api';
import email, { emailPluginConfigSchema, emailServiceConfigSchema } from '@herald/sink-email';
import { recordingLogger, sampleNotification } from '@herald/plugin-testing';
import { eventually, startMailpit } from '@herald/test-harness';

const count = Number(process.env.BENCH_EMAIL_COUNT ?? 1_000);
const mailpit = await startMailpit();
const sink = await email.init({ config: emailPluginConfigSchema.parse({}), logger: recordingLogger(), tracer: trace.getTracer('bench'), signal: new AbortController().signal });
const config = emailServiceConfigSchema.parse({ host: '127.0.0.1', port: mailpit.smtpPort, from: 'Herald <herald@example.com>' });
let sent = 0;

async function run(inFlight: number): Promise<number> {
  await mailpit.deleteAll();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        sent++;
        const notification = sampleNotification({
          destination: { serviceType: 'email', service: 'ops', recipient: 'oncall@example.com' },
          idempotencyKey: `bench${sent.toString(16)}`,
          rendered: { message: `Pod web-${i} is ready`, email: { subject: `web-${i} ready` } },
        });
        await sink.send(notification, { attempt: 1, signal: new AbortController().signal, service: { type: 'email', name: 'ops', config } });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // Every send resolved after Mailpit accepted the message; check that they are all there.
  await eventually(async () => {
    const stored = await mailpit.count();
    if (stored !== count) throw new Error(`Mailpit holds ${stored} messages`);
  });
  return count / seconds;
}

try {
  for (const inFlight of [1, 5, 20]) console.log(`email sink → Mailpit, ${count} notifications, ${inFlight} in flight: ${(await run(inFlight)).toFixed(0)} notifications/s`);
} finally {
  await sink.stop();
  await mailpit.stop();
}
