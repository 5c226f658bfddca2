import { afterAll, beforeAll, expect, it } from 'vitest';
import { behaviourRemote, runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import { startFakeDiscord, type FakeDiscord, type DiscordBehaviour } from '@herald/test-harness';
import discord from './discord-sink.ts';

let api: FakeDiscord;
beforeAll(async () => {
  api = await startFakeDiscord();
});
afterAll(() => api?.close());

const behaviours: Record<RemoteFailure, (retryAfterMs?: number) => DiscordBehaviour> = {
  retryable: () => 'http-500',
  permanent: () => 'deleted',
  throttle: (ms = 1_000) => ({ throttle: Math.ceil(ms / 1_000) }),
  hang: () => 'hang',
};

it('passes the sink conformance kit against a local Discord webhook API', async () => {
  const url = api.webhookUrl('ops');
  const report = await runSinkConformance({
    plugin: discord,
    service: { type: 'discord', name: 'discord', config: { webhooks: { ops: url } } },
    secrets: [url, url.split('/').at(-1)!],
    notification: { destination: { service: 'discord', serviceType: 'discord', recipient: 'ops' }, rendered: { message: 'Pod web-1 is ready', discord: { username: 'Herald' } } },
    templateBlock: { valid: { content: 'x', embeds: '[]', username: 'u', avatarUrl: 'https://a/b.png' }, invalid: { avatar_url: 'x' } },
    remote: behaviourRemote(api, behaviours),
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});
