/**
 * Two measurements of the reference scenario, for notes rather than assertions (run it by hand:
 * `node test/e2e/src/measure-seed.ts`; PODS=1000 and SAMPLES=10 by default):
 *
 * - latency: from sending the status patch Pending → Running to the webhook receiving "Pod <name> is ready!";
 * - memory: VmRSS (and its peak, VmHWM) of one `herald run` process once it has seen PODS subscribed Pods
 *   and the bus has settled.
 *
 * Same real parts as the e2e tests: kube-apiserver, nats-server, a loopback HTTP receiver, Herald as its own
 * OS process with the restricted user.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startControlPlane, startNats } from '@herald/test-harness';
import { waitForSettled } from './support/bus-settled.ts';
import { seedConfigMap } from './support/cluster-setup.ts';
import { setUpScenario, subscribe, type Scenario } from './support/scenario.ts';

const pods = Number(process.env.PODS ?? 1000);
const samples = Number(process.env.SAMPLES ?? 10);
const out = (line: string) => process.stdout.write(`${line}\n`);

// A receiver of its own that stamps each request's arrival with the clock the patches are timed with.
const arrivals = new Map<string, number>();
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    arrivals.set(body.trim(), performance.now());
    res.writeHead(200).end('ok');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const [cp, nats] = await Promise.all([startControlPlane(), startNats()]);
let scenario: Scenario | undefined;
try {
  const s = (scenario = await setUpScenario(cp, nats, { prefix: 'MEASURE', data: seedConfigMap('-', '-', receiverUrl).data! }));
  const herald = await s.herald();
  const annotations = { [subscribe('on-pod-ready.webhook')]: '' };
  const memory = () => {
    const status = readFileSync(`/proc/${herald.pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return `VmRSS ${(kib('VmRSS') / 1024).toFixed(1)} MiB, VmHWM ${(kib('VmHWM') / 1024).toFixed(1)} MiB`;
  };

  // Latency: one warm-up, then `samples` Pods, one at a time, each on a settled bus.
  const latencies: number[] = [];
  for (let i = 0; i <= samples; i++) {
    const name = `latency-${i}`;
    await s.pod(name, { annotations });
    await s.settled();
    const sent = performance.now();
    await s.setPhase(name, 'Running');
    const expected = `Pod ${name} is ready!`;
    for (const deadline = Date.now() + 30_000; !arrivals.has(expected); await delay(1)) {
      if (Date.now() > deadline) throw new Error(`no request for ${name}`);
    }
    if (i > 0) latencies.push(arrivals.get(expected)! - sent);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
  out(`status patch → webhook receipt, ${samples} samples: median ${median.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
  out(`  all (ms): ${latencies.map((l) => l.toFixed(1)).join(', ')}`);

  await s.settled();
  out(`herald run (pid ${herald.pid}) with ${samples + 1} Pods: ${memory()}`);
  const started = performance.now();
  for (let next = 0; next < pods; ) {
    const batch = Array.from({ length: Math.min(25, pods - next) }, () => `watched-${next++}`);
    await Promise.all(batch.map((name) => s.pod(name, { annotations })));
  }
  // Every event evaluated and every result settled. The annotation mirror's consumer on the state bucket is
  // left out: each of its writes lists an object's keys with kv.keys(), which leaves an ordered consumer on
  // the bucket's stream for 5 minutes, and past the server's limit its writes fail and come back.
  await waitForSettled(nats.url, ['MEASURE_EVENTS', 'MEASURE_NOTIFICATIONS', 'MEASURE_RESULTS']);
  await delay(5_000);
  await waitForSettled(nats.url, ['MEASURE_EVENTS', 'MEASURE_NOTIFICATIONS', 'MEASURE_RESULTS']);
  out(`herald run with ${pods + samples + 1} Pods watched (${((performance.now() - started) / 1000).toFixed(1)} s to create and evaluate): ${memory()}`);
  const nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  const mirror = await jsm.consumers.info('KV_MEASURE_STATE', 'herald-state-mirror');
  const { consumer_count: consumers } = (await jsm.streams.info('KV_MEASURE_STATE')).state;
  out(`  state mirror: ${mirror.num_pending} pending, ${mirror.num_ack_pending} unacknowledged; consumers on KV_MEASURE_STATE: ${consumers}`);
  await nc.close();
  await herald.stop();
} finally {
  await Promise.all(scenario?.heralds.map((h) => h.kill()) ?? []);
  server.close();
  await Promise.all([cp.stop(), nats.stop()]);
}
