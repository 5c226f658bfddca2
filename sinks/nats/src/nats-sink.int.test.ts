import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { eventually, type NatsServer } from '@herald/test-harness';
import { collect, nkeyUser, notification, PASSWORD, readerConnection, rejection, serverConfig, startAuthNats, startSink, type TestSink } from './__fixtures__/nats-harness.ts';

let server: NatsServer;
let reader: NatsConnection;
let sink: TestSink;
const nkey = nkeyUser();
let service: { url: string; username: string; password: string };

beforeAll(async () => {
  server = await startAuthNats(nkey.publicKey);
  reader = await readerConnection(server);
  service = { url: server.url, username: 'herald', password: PASSWORD };
  sink = await startSink();
});
afterAll(async () => {
  await sink?.handle.stop();
  await reader?.close();
  await server?.stop();
});

/** The connections the server has from Herald (client name `herald`), from its /connz endpoint. */
async function heraldConnections(): Promise<number> {
  const connz = (await (await fetch(`${server.monitorUrl}/connz?limit=1000`)).json()) as { connections: { name?: string }[] };
  return connz.connections.filter((c) => c.name === 'herald').length;
}

describe('what the server receives', () => {
  it('publishes the rendered message to the recipient subject, with the service headers as written', async () => {
    const got = await collect(reader, 'deploys.web');
    await sink.send(notification('deploys.web', 'Application web is Synced'), { ...service, headers: { 'X-Source': 'argocd', 'content-type': 'text/plain' } });
    await reader.flush();
    await eventually(async () => expect(got).toHaveLength(1));
    expect(got[0]!.subject).toBe('deploys.web');
    expect(got[0]!.string()).toBe('Application web is Synced');
    const sent = notification('deploys.web', 'Application web is Synced');
    expect([...got[0]!.headers!.keys()].sort()).toEqual(['Nats-Msg-Id', 'X-Source', 'content-type']);
    expect(got[0]!.headers!.get('Nats-Msg-Id')).toBe(`${sent.idempotencyKey}:${sent.claimRevision}`);
    expect(got[0]!.headers!.get('X-Source')).toBe('argocd');
    expect(got[0]!.headers!.get('content-type')).toBe('text/plain');
  });

  it('publishes only the idempotency header when the service sets none, and an empty payload for an empty message', async () => {
    const got = await collect(reader, 'deploys.empty');
    await sink.send(notification('deploys.empty', ''), service);
    await reader.flush();
    await eventually(async () => expect(got).toHaveLength(1));
    expect([...got[0]!.headers!.keys()]).toEqual(['Nats-Msg-Id']);
    expect(got[0]!.data).toHaveLength(0);
  });

  it('a resent notification is stored once by a JetStream stream on the subject (Nats-Msg-Id)', async () => {
    const jsm = await jetstreamManager(reader);
    await jsm.streams.add({ name: 'DEDUP', subjects: ['dedup.>'] });
    const sent = notification('dedup.web', 'once');
    await sink.send(sent, service);
    await sink.send(sent, service);
    await sink.send({ ...sent, claimRevision: sent.claimRevision + 1 }, service);
    expect((await jsm.streams.info('DEDUP')).state.messages).toBe(2);
  });

  it('authenticates with the nkey seed', async () => {
    const got = await collect(reader, 'deploys.nkey');
    await sink.send(notification('deploys.nkey', 'by nkey'), { url: server.url, nkey: nkey.seed }, { name: 'by-nkey' });
    await reader.flush();
    await eventually(async () => expect(got.map((m) => m.string())).toEqual(['by nkey']));
  });

  it('keeps one connection per service, not one per send (Argo dials for each)', async () => {
    const own = await startSink();
    const got = await collect(reader, 'pooled');
    const before = await heraldConnections();
    for (let i = 0; i < 5; i++) await own.send(notification('pooled', `m${i}`), service, { name: 'a' });
    await own.send(notification('pooled', 'b0'), { ...service, headers: { X: '1' } }, { name: 'b' });
    await own.send(notification('pooled', 'b1'), { ...service, headers: { X: '1' } }, { name: 'b' });
    await reader.flush();
    await eventually(async () => expect(got).toHaveLength(7));
    expect((await heraldConnections()) - before).toBe(2);
    await own.handle.stop();
    await eventually(async () => expect(await heraldConnections()).toBe(before));
  });
});

describe('what the server refuses', () => {
  it('a subject the user may not publish to is permanent, with the server text, and the connection keeps working', async () => {
    const got = await collect(reader, 'allowed.after');
    const err = await rejection(sink.send(notification('denied.x', 'no'), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toBe('nats "nats": publish to denied.x: the server refused: Permissions Violation for Publish to "denied.x"');
    await sink.send(notification('allowed.after', 'yes'), service);
    await reader.flush();
    await eventually(async () => expect(got.map((m) => m.string())).toEqual(['yes']));
  });

  it('a wrong password is permanent (Authorization Violation), and the password is in no error or log line', async () => {
    const wrong = 'wrong-pass-98765';
    const err = await rejection(sink.send(notification('deploys.web', 'x'), { ...service, password: wrong }, { name: 'wrong' }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/^nats "wrong": publish to deploys.web: the server refused the credentials: .*Authorization Violation/i);
    const seen = [err.message, err.stack, String(err.cause), (err.cause as Error | undefined)?.stack, sink.logger.text()].join('\n');
    expect(seen).not.toContain(wrong);
    expect(seen).not.toContain(PASSWORD);
  });

  it('a URL with credentials in it shows none of them', async () => {
    const url = server.url.replace('nats://', 'nats://herald:url-s3cret-pass@');
    const err = await rejection(sink.send(notification('denied.y', 'x'), { url }, { name: 'url-creds' }));
    expect(err.message).toContain('Authorization Violation');
    expect([err.message, err.stack, sink.logger.text()].join('\n')).not.toContain('url-s3cret-pass');
  });

  it('a seed that is not an NKey seed is permanent and not shown', async () => {
    const err = await rejection(sink.send(notification('deploys.web', 'x'), { url: server.url, nkey: 'SUNOTASEEDATALL123' }, { name: 'bad-seed' }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toBe('nats "bad-seed": publish to deploys.web: the nkey option is not an NKey seed (SU…)');
  });

  it('a message over the server max_payload is permanent', async () => {
    const err = await rejection(sink.send(notification('deploys.big', 'x'.repeat(5_000)), service));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toContain('max_payload');
  });
});

describe('what may pass later', () => {
  it('a server that is down is retryable; once it is back, the next send dials again and delivers', async () => {
    const own = await startSink();
    await own.send(notification('back.again', 'before'), service);
    await server.kill();
    const err = await rejection(own.send(notification('back.again', 'while down'), service));
    expect(err).toMatchObject({ retryable: true, code: 'HERALD_ERR_DELIVERY_TRANSIENT' });
    await server.start();
    reader = await readerConnection(server);
    const got = await collect(reader, 'back.again');
    await own.send(notification('back.again', 'after'), service);
    await reader.flush();
    await eventually(async () => expect(got.map((m) => m.string())).toEqual(['after']));
    await own.handle.stop();
  });

  it('a server that never answers is cut by the send signal, then by the service timeout, as retryable', async () => {
    const own = await startSink();
    await own.send(notification('hung', 'warm'), service);
    await server.pause();
    try {
      const abort = new AbortController();
      const sending = rejection(own.send(notification('hung', 'x'), service, { signal: abort.signal }));
      abort.abort(new Error('delivery deadline passed'));
      const err = await sending;
      expect(err).toMatchObject({ retryable: true, message: 'nats "nats": publish to hung aborted: delivery deadline passed' });
      const timedOut = await rejection(own.send(notification('hung', 'y'), { ...service, timeout: '200ms' }));
      expect(timedOut).toMatchObject({ retryable: true, message: 'nats "nats": publish to hung aborted: no answer within 200 ms' });
    } finally {
      server.resume();
    }
    await own.handle.stop();
  });

  it('stop is idempotent, and a send after it fails as retryable', async () => {
    const own = await startSink();
    await Promise.all([own.handle.stop(), own.handle.stop()]);
    expect(await rejection(own.send(notification('x', 'x'), service))).toMatchObject({ retryable: true, message: 'nats "nats": the sink is stopped' });
  });
});

// Keeps the config builder honest: the server accepts the reloaded config with extra denied subjects.
it('the test server takes a reloaded config', async () => {
  await server.reload(serverConfig(nkey.publicKey, ['reloaded.>']));
  const err = await rejection(sink.send(notification('reloaded.x', 'x'), service));
  expect(err.message).toContain('Permissions Violation for Publish to "reloaded.x"');
  await server.reload(serverConfig(nkey.publicKey));
  await sink.send(notification('reloaded.x', 'x'), service);
});
