import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, defaultTopology, type JetStreamPublisher } from '@herald/core-bus';
import { Dedup } from '@herald/core-dedup';
import { createLogger, startTelemetry } from '@herald/core-telemetry';
import { DeliveryError, HeraldError, type Delivery, type NotificationData, type ResourceEventData, type Subscription } from '@herald/plugin-sdk';
import { startNats, type NatsServer } from '@herald/test-harness';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'herald-dlq-'));
const logger = createLogger('dlq-test', { level: 'silent' });
// Spans recorded (taken by a processor that drops them), as in a process that exports: events carry a traceparent.
const dropSpans = { onStart: () => undefined, onEnd: () => undefined, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
const telemetry = startTelemetry({ serviceName: 'dlq-test', serviceVersion: '0.0.0', spanProcessors: [dropSpans] });
const MiB = 1024 * 1024;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process, whose own subscribers must keep consuming meanwhile. */
function herald(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=herald-source', main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ref = (name: string) => ({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });

function event(name: string, object: Record<string, unknown> = {}): ResourceEventData {
  return { action: 'MODIFIED', ref: ref(name), resourceVersion: '1', object: { metadata: { name }, ...object } };
}

function notification(recipient: string, claimRevision: number): NotificationData {
  return {
    trigger: 'on-pod-ready',
    conditionKey: '[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go',
    template: 'pod-ready',
    destination: { serviceType: 'webhook', service: 'webhook', recipient },
    stateKey: stateKey(recipient),
    idempotencyKey: `key-${recipient}`,
    claimRevision,
    ref: ref('web-n'),
    rendered: { message: `for ${recipient}` },
  };
}
const stateKey = (recipient: string) => `on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:${recipient}`;

/** What the evaluator does: claims the notification for `recipient` as event `eventId`; the claim's revision. */
async function claim(dedup: Dedup, recipient: string, eventId: string): Promise<number> {
  const { claims } = await dedup.adopt(ref('web-n'), {});
  const claimed = await claims.claim(stateKey(recipient), { eventId, rv: '1' });
  if (claimed.outcome !== 'claimed') throw new Error(`not claimed: ${claimed.outcome}`);
  return claimed.revision;
}

/** What the state role does with the sink's result for that claim. */
function settle(dedup: Dedup, recipient: string, claimRevision: number, succeeded: boolean) {
  const n = notification(recipient, claimRevision);
  return dedup.settle({ idempotencyKey: n.idempotencyKey, claimRevision, stateKey: n.stateKey, trigger: n.trigger, destination: n.destination, ref: n.ref, succeeded, attempts: 1 });
}

describe('herald dlq', () => {
  let nats: NatsServer;
  let bus: Bus;
  let publisher: JetStreamPublisher;
  let dedup: Dedup;
  let config: string;
  const subscriptions: Subscription[] = [];
  // What the stand-in evaluator and sink were handed, and what they fail on.
  const events: Delivery<ResourceEventData>[] = [];
  const sent: Delivery<NotificationData>[] = [];
  const brokenObjects = new Set<string>();
  const brokenRecipients = new Set<string>();

  async function letterCount(): Promise<number> {
    return (await bus.jsm.streams.info('HERALD_DEAD_LETTERS')).state.messages;
  }

  async function messages(stream: string): Promise<number> {
    return (await bus.jsm.streams.info(stream)).state.messages;
  }

  /** Lists the dead letters through the CLI, as JSON. */
  async function list(...args: string[]): Promise<Array<Record<string, unknown> & { id: number; reason: string; about: Record<string, unknown> }>> {
    const run = await herald('dlq', 'list', '-c', config, '-o', 'json', ...args);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(run.stdout);
  }

  /** Publishes, waits for its dead letter, and returns the letter's id as `dlq list` shows it. */
  async function deadLetter(publish: () => Promise<unknown>, match: (about: Record<string, unknown>, reason: string) => boolean): Promise<number> {
    const before = await letterCount();
    await publish();
    await until(async () => (await letterCount()) > before, 'the dead letter');
    const letter = (await list()).find((l) => match(l.about, l.reason));
    expect(letter).toBeDefined();
    return letter!.id;
  }

  beforeAll(async () => {
    nats = await startNats();
    const small = (maxMsgSize: number) => ({ maxAgeMs: 3_600_000, maxBytes: 32 * MiB, maxMsgSize, replicas: 1 });
    bus = await Bus.connect(
      {
        servers: [nats.url],
        name: 'dlq-test',
        // A dead-letter stream taking smaller messages than the events stream: big originals are cut.
        topology: { ...defaultTopology, streams: { events: small(MiB), notifications: small(MiB), results: small(MiB), deadLetters: small(64 * 1024) }, state: { maxBytes: 16 * MiB, replicas: 1 } },
        subscriber: { ackWaitMs: 30_000, backoffBaseMs: 100, backoffMaxMs: 100 },
      },
      logger,
    );
    publisher = bus.publisher('herald/test', telemetry.tracer('test'));
    dedup = new Dedup({ kv: bus.state, annotationPrefix: 'notifications.argoproj.io' });
    const subscriber = bus.subscriber(telemetry.tracer('test'), logger);
    subscriptions.push(
      await subscriber.subscribe('events', { durable: 'test-evaluator' }, async (d) => {
        if (brokenObjects.has(d.event.data.ref.name)) throw new HeraldError('HERALD_ERR_TEST_BROKEN', `cannot evaluate ${d.event.data.ref.name}: template broken`);
        events.push(d);
      }),
      await subscriber.subscribe('notifications', { durable: 'herald-sink-webhook', filter: 'webhook' }, async (d) => {
        if (brokenRecipients.has(d.event.data.destination.recipient)) throw new DeliveryError('404 no such channel', { retryable: false });
        sent.push(d);
      }),
    );
    config = join(dir, 'herald.yaml');
    writeFileSync(config, `nats:\n  servers: [${nats.url}]\n`);
  });

  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.stop()));
    await bus?.drain();
    await nats?.stop();
  });

  it('lists and shows dead letters with their reason, code, attempts and origin', async () => {
    brokenObjects.add('web-1');
    const id = await deadLetter(() => publisher.resourceEvent(event('web-1')), (about) => about.object === 'Pod default/web-1');
    const bad = await deadLetter(() => bus.js.publish('herald.events.3', '{"specversion": "1.0", "id": ', { msgID: 'broken-1' }), (_, reason) => reason.startsWith('not a JSON'));

    const [first, second] = await list();
    expect(first).toEqual({
      id,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      channel: 'events',
      consumer: 'test-evaluator',
      attempts: 1,
      code: 'HERALD_ERR_TEST_BROKEN',
      reason: 'permanent failure: cannot evaluate web-1: template broken',
      original: { stream: 'HERALD_EVENTS', subject: expect.stringMatching(/^herald\.events\.\d+$/), sequence: expect.any(Number), truncated: false },
      about: { action: 'MODIFIED', object: 'Pod default/web-1' },
    });
    expect(second).toMatchObject({ id: bad, channel: 'events', code: 'HERALD_ERR_BUS_MALFORMED_MESSAGE', attempts: 0, about: {} });

    const text = await herald('dlq', 'list', '-c', config);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TIME\s+CHANNEL\s+CONSUMER\s+ATTEMPTS\s+CODE\s+ABOUT\s+REASON$/);
    expect(lines[1]).toMatch(new RegExp(`^${id}\\s+\\S+Z\\s+events\\s+test-evaluator\\s+1\\s+HERALD_ERR_TEST_BROKEN\\s+MODIFIED Pod default/web-1\\s+permanent failure: cannot evaluate web-1: template broken$`));
    expect(lines[2]).toMatch(/^\d+ .* events\s+test-evaluator\s+0\s+HERALD_ERR_BUS_MALFORMED_MESSAGE\s+-\s+not a JSON document: /);
    const limited = await herald('dlq', 'list', '-c', config, '--limit', '1');
    expect(limited.stdout).toContain('(1 of 2 dead letters; see --limit)');
    expect(await list('--channel', 'notifications')).toEqual([]);

    const shown = await herald('dlq', 'show', String(id), '-c', config);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`dead letter ${id} (dlq:HERALD_EVENTS:`);
    expect(shown.stdout).toContain('  reason:    permanent failure: cannot evaluate web-1: template broken');
    expect(shown.stdout).toContain('  attempts:  1');
    expect(shown.stdout).toContain('    Nats-Msg-Id: uid-web-1:1:MODIFIED');
    expect(shown.stdout).toMatch(/payload \(utf8, \d+ bytes\):\n\{\n {2}"specversion": "1.0",/);
    const json = JSON.parse((await herald('dlq', 'show', String(id), '-c', config, '-o', 'json')).stdout);
    expect(json).toMatchObject({ id, code: 'HERALD_ERR_TEST_BROKEN', original: { encoding: 'utf8', truncated: false, headers: { 'Nats-Msg-Id': 'uid-web-1:1:MODIFIED' }, json: { data: { ref: { name: 'web-1' } } } } });
  });

  it('retries an event: it is processed again, under a new message id, and its letter is gone', async () => {
    const [letter] = (await list()).filter((l) => l.about.object === 'Pod default/web-1');
    const { original } = JSON.parse((await herald('dlq', 'show', String(letter!.id), '-c', config, '-o', 'json')).stdout);
    expect(original.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0\d$/);
    brokenObjects.delete('web-1');
    const run = await herald('dlq', 'retry', String(letter!.id), '-c', config);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^${letter!.id} retried: events → herald\\.events\\.\\d+ \\(msg id uid-web-1:1:MODIFIED:retry:${letter!.id}\\)\n1 retried, 0 skipped, 0 refused, 0 failed\n$`));

    const again = await until(() => events.find((d) => d.event.data.ref.name === 'web-1'), 'the event again');
    expect(again.event.id).toBe('uid-web-1:1:MODIFIED');
    expect(again.headers['Nats-Msg-Id']).toBe(`uid-web-1:1:MODIFIED:retry:${letter!.id}`);
    expect(again.traceparent).toBe(original.headers.traceparent);
    expect((await list()).map((l) => l.id)).not.toContain(letter!.id);
  });

  it('retries a notification whose claim was released: claims it again and sends it with the new claim', async () => {
    brokenRecipients.add('released');
    const revision = await claim(dedup, 'released', 'e1');
    const id = await deadLetter(() => publisher.notification(notification('released', revision)), (about) => about.destination === 'webhook:released');
    // The state role released the claim after the failed result.
    expect(await settle(dedup, 'released', revision, false)).toBe('released');
    brokenRecipients.delete('released');

    const run = await herald('dlq', 'retry', String(id), '-c', config, '-o', 'json');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    const retaken = (await dedup.read('uid-web-n', stateKey('released')))!;
    expect(retaken.revision).toBeGreaterThan(revision);
    expect(retaken).toMatchObject({ status: 'pending', event: `dlq-retry:HERALD_DEAD_LETTERS:${id}` });
    expect(out).toEqual({
      results: [{ id, channel: 'notifications', outcome: 'retried', subject: expect.stringMatching(/^herald\.notifications\.webhook\.\d+$/), msgId: `key-released:${retaken.revision}`, claimRevision: retaken.revision }],
      retried: 1,
      skipped: 0,
      refused: 0,
      failed: 0,
    });

    const delivery = await until(() => sent.find((d) => d.event.data.destination.recipient === 'released'), 'the notification again');
    expect(delivery.event.data.claimRevision).toBe(retaken.revision);
    expect(delivery.event.id).toBe(`key-released:${retaken.revision}`);
    expect(delivery.headers['Nats-Msg-Id']).toBe(`key-released:${retaken.revision}`);
    expect(delivery.event.data.rendered).toEqual({ message: 'for released' });
    expect((await list()).map((l) => l.id)).not.toContain(id);
  });

  it('skips a notification sent again since: nothing is published, the letter is deleted', async () => {
    brokenRecipients.add('refired');
    const revision = await claim(dedup, 'refired', 'e1');
    const id = await deadLetter(() => publisher.notification(notification('refired', revision)), (about) => about.destination === 'webhook:refired');
    expect(await settle(dedup, 'refired', revision, false)).toBe('released');
    // The condition fired again: an evaluator claimed it anew and sent it.
    const claimedAgain = await claim(dedup, 'refired', 'e2');
    expect(await settle(dedup, 'refired', claimedAgain, true)).toBe('sent');
    const refired = (await dedup.read('uid-web-n', stateKey('refired')))!.revision;
    brokenRecipients.delete('refired');

    const before = await messages('HERALD_NOTIFICATIONS');
    const run = await herald('dlq', 'retry', String(id), '-c', config);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${id} skipped: already sent again since (claim sent at revision ${refired}) (letter deleted)\n0 retried, 1 skipped, 0 refused, 0 failed\n`);
    expect(await messages('HERALD_NOTIFICATIONS')).toBe(before);
    expect((await dedup.read('uid-web-n', stateKey('refired')))!.revision).toBe(refired);
    expect((await list()).map((l) => l.id)).not.toContain(id);
    expect(sent.filter((d) => d.event.data.destination.recipient === 'refired')).toEqual([]);
  });

  it('takes over the claim of the failed send when the state role has not released it yet', async () => {
    brokenRecipients.add('unsettled');
    const revision = await claim(dedup, 'unsettled', 'e1');
    const id = await deadLetter(() => publisher.notification(notification('unsettled', revision)), (about) => about.destination === 'webhook:unsettled');
    brokenRecipients.delete('unsettled');

    const out = JSON.parse((await herald('dlq', 'retry', String(id), '-c', config, '-o', 'json')).stdout);
    const retaken = (await dedup.read('uid-web-n', stateKey('unsettled')))!;
    expect(retaken.revision).not.toBe(revision);
    expect(out.results[0]).toMatchObject({ outcome: 'retried', claimRevision: retaken.revision, msgId: `key-unsettled:${retaken.revision}` });
    const delivery = await until(() => sent.find((d) => d.event.data.destination.recipient === 'unsettled'), 'the notification again');
    expect(delivery.event.data.claimRevision).toBe(retaken.revision);
  });

  it('refuses a letter whose original was cut, and keeps it', async () => {
    brokenObjects.add('big-1');
    const id = await deadLetter(() => publisher.resourceEvent(event('big-1', { blob: 'x'.repeat(100_000) })), (_, reason) => reason.includes('big-1'));
    const shown = await herald('dlq', 'show', String(id), '-c', config);
    expect(shown.stdout).toMatch(/TRUNCATED to fit the dead-letter stream \(the whole original stays in HERALD_EVENTS at sequence \d+ until that stream's max age\)/);

    const run = await herald('dlq', 'retry', String(id), '-c', config);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^${id} refused: its payload was cut to fit the dead-letter stream and cannot be sent as it was .*\\(letter kept\\)\n`));
    expect((await list()).map((l) => l.id)).toContain(id);
  });

  it('retries every letter with --all, leaving those it cannot retry', async () => {
    brokenObjects.add('all-1');
    brokenObjects.add('all-2');
    await deadLetter(() => publisher.resourceEvent(event('all-1')), (about) => about.object === 'Pod default/all-1');
    await deadLetter(() => publisher.resourceEvent(event('all-2')), (about) => about.object === 'Pod default/all-2');
    brokenObjects.delete('all-1');
    brokenObjects.delete('all-2');
    const letters = await list('--channel', 'events');

    const run = await herald('dlq', 'retry', '--all', '--channel', 'events', '-c', config, '-o', 'json');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.results.map((r: { id: number }) => r.id)).toEqual(letters.map((l) => l.id));
    // The cut one has no readable payload: it is known by its reason.
    const outcome = (name: string) => out.results.find((r: { id: number }) => r.id === letters.find((l) => l.reason.includes(`evaluate ${name}:`))!.id).outcome;
    expect([outcome('all-1'), outcome('all-2'), outcome('big-1')]).toEqual(['retried', 'retried', 'refused']);
    await until(() => ['all-1', 'all-2'].every((n) => events.some((d) => d.event.data.ref.name === n)), 'both events again');
    // The malformed one was put back as it was, and came back as a new letter; the cut one stays.
    const left = await list('--channel', 'events');
    expect(left.map((l) => l.about.object)).not.toContain('Pod default/all-1');
    expect(left.map((l) => l.reason)).toContain('permanent failure: cannot evaluate big-1: template broken');
    expect(left.filter((l) => l.code === 'HERALD_ERR_BUS_MALFORMED_MESSAGE')).toHaveLength(1);
  });

  it('purges only with --yes', async () => {
    const refused = await herald('dlq', 'purge', '-c', config);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('purge deletes every dead letter for good; add --yes to confirm');
    expect((await list()).length).toBeGreaterThan(0);

    const run = await herald('dlq', 'purge', '--channel', 'events', '--yes', '-c', config, '-o', 'json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).purged).toBeGreaterThan(0);
    expect(await list('--channel', 'events')).toEqual([]);
    const all = await herald('dlq', 'purge', '--yes', '-c', config);
    expect(all.stdout).toMatch(/^purged \d+ dead letter\(s\)\n$/);
    expect((await herald('dlq', 'list', '-c', config)).stdout).toBe('no dead letters\n');
  });

  it('fails on an id that names no dead letter', async () => {
    const shown = await herald('dlq', 'show', '99999', '-c', config);
    expect(shown).toMatchObject({ code: 1, stderr: 'herald: no dead letter 99999 in HERALD_DEAD_LETTERS\n' });
    const json = await herald('dlq', 'show', '99999', '-c', config, '-o', 'json');
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'HERALD_ERR_DLQ_NOT_FOUND', message: 'no dead letter 99999 in HERALD_DEAD_LETTERS' } });
    const retried = await herald('dlq', 'retry', '99999', '-c', config);
    expect(retried.code).toBe(1);
    expect(retried.stdout).toContain('99999 failed: no dead letter 99999 in HERALD_DEAD_LETTERS (letter kept)');
  });

  it('fails within a bound when NATS cannot be reached, naming the servers', async () => {
    const unreachable = join(dir, 'unreachable.yaml');
    writeFileSync(unreachable, 'nats:\n  servers: [nats://127.0.0.1:1]\n');
    const run = await herald('dlq', 'list', '-c', unreachable);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^herald: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: /);
  });

  it('fails when the dead-letter stream does not exist (other prefixes)', async () => {
    const other = join(dir, 'other.yaml');
    writeFileSync(other, `nats:\n  servers: [${nats.url}]\n  streamPrefix: OTHER\n  subjectPrefix: other\n`);
    const run = await herald('dlq', 'list', '-c', other);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('herald: there is no stream OTHER_DEAD_LETTERS');
  });
});
