import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSinkConformance } from '@herald/plugin-testing';
import { startMailpit, type Mailpit } from '@herald/test-harness';
import email from './email-sink.ts';
import { startSmtpGate, type SmtpGate } from './__fixtures__/smtp-gate.ts';

const PASSWORD = 'conformance-pw-7c41';
let mailpit: Mailpit;
let gate: SmtpGate;

beforeAll(async () => {
  mailpit = await startMailpit({ starttls: true, auth: { username: 'herald', password: PASSWORD } });
  gate = await startSmtpGate(mailpit.smtpPort);
});
afterAll(async () => {
  await gate?.close();
  await mailpit?.stop();
});

it('passes the sink conformance kit against a real SMTP server (Mailpit), with STARTTLS and AUTH', async () => {
  const report = await runSinkConformance({
    plugin: email,
    pluginConfig: { timeout: '5s' },
    service: { type: 'email', name: 'ops', config: { host: '127.0.0.1', port: gate.port, username: 'herald', password: PASSWORD, from: 'Herald <herald@example.com>', insecure_skip_verify: true } },
    secrets: [PASSWORD],
    notification: { destination: { serviceType: 'email', service: 'ops', recipient: 'oncall@example.com' }, rendered: { message: 'Pod web-1 is ready', email: { subject: 'web-1 ready' } } },
    templateBlock: { valid: { subject: 'Pod {{.pod.metadata.name}}', body: 'ready' }, invalid: { subject: 'x', bdy: 'typo' } },
    remote: {
      // SMTP has no Retry-After: a 4xx reply is the retryable failure, a 5xx the permanent one.
      failures: ['retryable', 'permanent', 'hang'],
      async reset() {
        gate.release();
        await mailpit.chaos({});
      },
      async failNext(kind) {
        if (kind === 'hang') gate.hold();
        else await mailpit.chaos({ recipient: { errorCode: kind === 'retryable' ? 451 : 550, probability: 100 } });
      },
      accepted: () => mailpit.count(),
    },
  });
  expect(report.passed).toEqual(['template-schema', 'first-send-delivers', 'retryable-failure', 'permanent-failure', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
