import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSinkConformance, SINK_CONFORMANCE_CHECKS, type RemoteFailure } from '@herald/plugin-testing';
import alertmanager from './alertmanager-sink.ts';
import { startReceiver, type Receiver } from './__fixtures__/receiver.ts';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver?.close());

// The real Alertmanager (alertmanager.int.test.ts) cannot be made to fail on demand: a local target
// answering as it does (200, 400 with its error JSON, 503) plays it here.
it('passes the sink conformance kit against a local Alertmanager target', async () => {
  const token = 'conformance-bearer-4f1a';
  let accepted = 0;
  let failing: { kind: RemoteFailure; retryAfterMs?: number } | undefined;
  const hanging: ServerResponse[] = [];
  receiver.respond((_req, res) => {
    if (!failing) {
      accepted++;
      res.writeHead(200).end();
    } else if (failing.kind === 'retryable') res.writeHead(503).end('busy');
    else if (failing.kind === 'permanent') res.writeHead(400).end('{"code":400,"message":"invalid label set"}');
    else if (failing.kind === 'throttle') res.writeHead(429, { 'retry-after': String(Math.ceil((failing.retryAfterMs ?? 1_000) / 1_000)) }).end();
    else hanging.push(res);
  });
  const report = await runSinkConformance({
    plugin: alertmanager,
    service: { type: 'alertmanager', name: 'alertmanager', config: { targets: [receiver.target], bearerToken: token, timeout: 30 } },
    secrets: [token],
    notification: { rendered: { message: 'ready', alertmanager: { labels: { app: 'web' } } } },
    templateBlock: { valid: { labels: { app: 'web' }, annotations: { summary: 'x' } }, invalid: { labels: { app: 'web' }, annotation: {} } },
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
