import type { NatsServer } from '@herald/test-harness';
import type { FaultContext, FaultScenario, Group } from './fault-run.ts';

/** Every role in processes of its own: one source (the others would stand by), two evaluators sharing the partitions, two sinks, two state services. */
const split: readonly Group[] = [
  { name: 'source', roles: ['source'], replicas: 1 },
  { name: 'evaluator', roles: ['evaluator'], replicas: 2 },
  { name: 'sink', roles: ['sink'], replicas: 2 },
  { name: 'state', roles: ['state'], replicas: 2 },
];

/** The single-server suite's nats-server. */
function server(ctx: FaultContext): NatsServer {
  if (!ctx.nats) throw new Error('this scenario runs on the single nats-server suite');
  return ctx.nats;
}

const killing = (group: string) => (ctx: FaultContext) => ctx.atRandomMoments(ctx.size.faults, () => ctx.killAndReplace(group, ctx.random.int(0, 1_000)));

/** Half as many nats-server faults as kills of a role (at least one), each noted in the timeline. */
const natsFaults = (what: string, act: (ctx: FaultContext) => Promise<void>) => (ctx: FaultContext) =>
  ctx.atRandomMoments(Math.max(1, Math.ceil(ctx.size.faults / 2)), async () => {
    ctx.note(`${what} at ${(ctx.driver.progress * 100).toFixed(0)}%`);
    await act(ctx);
    ctx.note('nats-server is back');
  });

/** Malformed JSON and a schema-invalid envelope on every events partition, and both on a notifications subject. */
async function injectPoison(ctx: FaultContext): Promise<void> {
  await ctx.driver.reached(0.5);
  const invalid = (id: string) =>
    JSON.stringify({
      specversion: '1.0',
      id,
      source: 'faults/poison',
      type: 'io.herald.resource.v1',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { action: 'ADDED', ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'x', name: 'poison', uid: '' }, resourceVersion: '1', object: {} },
    });
  for (let p = 0; p < 16; p++) {
    await ctx.poison(`${ctx.subjectPrefix}.events.${p}`, `{"specversion":"1.0","id":"poison-${p}",`);
    await ctx.poison(`${ctx.subjectPrefix}.events.${p}`, invalid(`poison-schema-${p}`));
  }
  await ctx.poison(`${ctx.subjectPrefix}.notifications.webhook.0`, 'not json at all');
  await ctx.poison(`${ctx.subjectPrefix}.notifications.webhook.1`, JSON.stringify({ specversion: '1.0', id: 'poison-n', source: 'faults/poison', type: 'io.herald.notification.v1', data: { trigger: 7 } }));
  ctx.note('poison published: 32 on events, 2 on notifications');
}

/** The scenarios, in the order they run. Sizes come from the run (CI or large). */
export const scenarios: readonly FaultScenario[] = [
  {
    name: 'baseline',
    summary: 'No fault: the same drive and checks, for comparison',
    groups: split,
    inject: async () => undefined,
  },
  {
    name: 'kill-sink',
    summary: 'SIGKILL a sink process at random moments (2 sink replicas), a replacement started each time',
    groups: split,
    inject: killing('sink'),
  },
  {
    name: 'kill-evaluator',
    summary: 'SIGKILL an evaluator process (of 2, sharing the partitions) at random moments, a replacement started each time',
    groups: split,
    inject: killing('evaluator'),
  },
  {
    name: 'kill-state',
    summary: 'SIGKILL a state-service process at random moments (2 replicas), a replacement started each time',
    groups: split,
    inject: killing('state'),
  },
  {
    name: 'restart-source',
    summary: 'SIGKILL the source at random moments and start it again after up to 2 s; 20% of Pods flicker each round',
    groups: split,
    flicker: 0.2,
    inject: (ctx) => ctx.atRandomMoments(ctx.size.faults, () => ctx.killAndReplace('source', ctx.random.int(200, 2_000))),
  },
  {
    name: 'rolling-source',
    summary: 'SIGTERM a source (of 2) at random moments (a rolling update: the leader saves its checkpoint) and start another after up to 2 s; the next leader publishes only what changed meanwhile; 20% of Pods flicker each round',
    // Two, as a Deployment rolls: the one standing by takes the Lease, and the checkpoint, when the leader goes.
    groups: split.map((g) => (g.name === 'source' ? { ...g, replicas: 2 } : g)),
    flicker: 0.2,
    source: { checkpoint: true },
    inject: (ctx) => ctx.atRandomMoments(ctx.size.faults, () => ctx.killAndReplace('source', ctx.random.int(200, 2_000), undefined, 'SIGTERM')),
  },
  {
    name: 'restart-nats',
    summary: 'Restart nats-server (SIGTERM, same store) at random moments while everything runs',
    groups: split,
    inject: natsFaults('restarting nats-server', (ctx) => server(ctx).restart()),
  },
  {
    name: 'kill-nats',
    summary: 'SIGKILL nats-server at random moments (a crash: unflushed consumer state may be lost) and start it again on the same store',
    groups: split,
    inject: natsFaults('SIGKILL nats-server', async (ctx) => {
      await server(ctx).kill();
      await new Promise((r) => setTimeout(r, ctx.random.int(200, 1_000)));
      await server(ctx).start();
    }),
  },
  {
    name: 'restart-apiserver',
    summary: 'Restart kube-apiserver (same etcd data) in the middle; 20% of Pods flicker each round',
    groups: split,
    flicker: 0.2,
    inject: (ctx) =>
      ctx.atRandomMoments(Math.max(1, Math.floor(ctx.size.faults / 2)), async () => {
        ctx.note(`restarting kube-apiserver at ${(ctx.driver.progress * 100).toFixed(0)}%`);
        await ctx.cp.restart();
        ctx.note('kube-apiserver is back');
      }, 0.2, 0.8),
  },
  {
    name: 'failing-receiver',
    summary: 'The receiver answers 30% of requests 500, 5% 429 + Retry-After: 1, and leaves 3% hanging past the 1 s timeout',
    groups: split,
    receiver: { error500: 0.3, tooMany429: 0.05, hang: 0.03 },
    inject: async () => undefined,
  },
  {
    name: 'two-deployments',
    summary: 'Two complete Herald deployments (all roles each) on the same bus prefix: competing consumers',
    groups: [
      { name: 'herald-a', roles: 'all', replicas: 1 },
      { name: 'herald-b', roles: 'all', replicas: 1 },
    ],
    inject: async () => undefined,
  },
  {
    name: 'poison',
    summary: 'Malformed JSON and schema-invalid envelopes on every events partition and on notifications, mid-run',
    groups: split,
    inject: injectPoison,
  },
  {
    name: 'everything',
    summary: 'All of it at once: failing receiver, kills of every role, a nats-server restart, poison',
    groups: split,
    flicker: 0.1,
    receiver: { error500: 0.3, tooMany429: 0.05, hang: 0.03 },
    inject: (ctx) =>
      Promise.all([
        killing('sink')(ctx),
        killing('evaluator')(ctx),
        killing('state')(ctx),
        ctx.atRandomMoments(ctx.size.faults, () => ctx.killAndReplace('source', ctx.random.int(200, 2_000))),
        ctx.atRandomMoments(1, async () => {
          ctx.note('restarting nats-server');
          await server(ctx).restart();
          ctx.note('nats-server is back');
        }),
        injectPoison(ctx),
      ]).then(() => undefined),
  },
];
