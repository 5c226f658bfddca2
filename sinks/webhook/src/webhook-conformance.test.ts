import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import webhook from './webhook-sink.ts';
import { startReceiver, type Receiver } from './__fixtures__/receiver.ts';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

it('passes the sink conformance kit against a local HTTP receiver', async () => {
  const token = 'conformance-token-9d2e';
  let accepted = 0;
  let failing: { kind: RemoteFailure; retryAfterMs?: number } | undefined;
  const hanging: ServerResponse[] = [];
  receiver.respond((_req, res) => {
    if (!failing) {
      accepted++;
      res.end('ok');
    } else if (failing.kind === 'retryable') res.writeHead(503).end('busy');
    else if (failing.kind === 'permanent') res.writeHead(400).end('bad request');
    else if (failing.kind === 'throttle') res.writeHead(429, { 'retry-after': String(Math.ceil((failing.retryAfterMs ?? 1_000) / 1_000)) }).end();
    else hanging.push(res);
  });

  const report = await runSinkConformance({
    plugin: webhook,
    service: { type: 'webhook', name: 'hooks', config: { url: `${receiver.origin}/hook`, headers: [{ name: 'Authorization', value: `Bearer ${token}` }], basicAuth: { username: 'u', password: 'basic-pw-31f0' } } },
    secrets: [token, 'basic-pw-31f0'],
    notification: { rendered: { message: 'ready', webhook: { hooks: { method: 'POST', body: '{"ok":true}' } } } },
    templateBlock: { valid: { hooks: { method: 'POST', path: '/x', body: '{}' } }, invalid: { hooks: { method: 'POST', bdy: '{}' } } },
    remote: {
      reset() {
        failing = undefined;
        for (const res of hanging.splice(0)) res.destroy();
      },
      failNext(kind, options) {
        failing = { kind, ...options };
      },
      accepted: () => accepted,
    },
  });
  expect(report.passed).toEqual(SINK_CONFORMANCE_CHECKS);
});
