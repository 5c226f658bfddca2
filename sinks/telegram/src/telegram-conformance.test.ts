import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeTelegram, type FakeTelegram, type TelegramBehaviour } from '@herald/test-harness';
import telegram from './telegram-sink.ts';

let api: FakeTelegram;
beforeAll(async () => {
  api = await startFakeTelegram();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => TelegramBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => ({ status: 400, description: 'Bad Request: chat not found' }),
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Telegram Bot API', async () => {
  const report = await runSinkConformance({
    plugin: telegram,
    service: { type: 'telegram', name: 'telegram', config: { token: api.token, apiURL: api.apiUrl } },
    secrets: [api.token],
    notification: { destination: { service: 'telegram', serviceType: 'telegram', recipient: '-1001234567890' }, rendered: { message: 'Pod web-1 is ready' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(['first-send-delivers', 'retryable-failure', 'permanent-failure', 'retry-after', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
