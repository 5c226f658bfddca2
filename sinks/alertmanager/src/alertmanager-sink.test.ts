import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, startEndlessAnswerServer } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/sink-harness.ts';
import { startReceiver, type Receiver } from './__fixtures__/receiver.ts';
import { alertmanagerTemplateSchema } from './alertmanager.config.ts';

let first: Receiver;
let second: Receiver;
let sink: TestSink;
beforeAll(async () => {
  [first, second] = await Promise.all([startReceiver(), startReceiver()]);
  sink = await startSink();
});
afterAll(async () => {
  await sink?.handle.stop();
  await Promise.all([first?.close(), second?.close()]);
});
beforeEach(() => {
  first.reset();
  second.reset();
});

const block = {
  labels: { severity: 'critical', app: 'web' },
  annotations: { summary: 'web is degraded', runbook: '' },
  generatorURL: 'git@github.com:acme/web.git',
};

describe('the request', () => {
  it('posts the rendered block to <scheme>://<target><apiPath> as a one-alert list, alertname the template name', async () => {
    await sink.send(notification(block), { targets: [first.target] });
    expect(first.requests).toHaveLength(1);
    const [request] = first.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/v2/alerts', headers: { 'content-type': 'application/json' } });
    expect(request!.headers.authorization).toBeUndefined();
    expect(JSON.parse(request!.body)).toEqual([
      {
        labels: { severity: 'critical', app: 'web', alertname: 'app-degraded' },
        annotations: { summary: 'web is degraded' },
        generatorURL: 'https://github.com/acme/web.git',
        startsAt: '2026-12-04T10:00:00.000Z',
      },
    ]);
  });

  it('keeps an alertname the template set, a startsAt it set, and the apiPath the service names', async () => {
    await sink.send(notification({ labels: { alertname: 'WebDegraded' }, startsAt: '2026-12-01T08:00:00+01:00' }), { targets: [first.target], apiPath: '/am/api/v2/alerts' });
    expect(first.requests[0]!.path).toBe('/am/api/v2/alerts');
    expect(JSON.parse(first.requests[0]!.body)).toEqual([{ labels: { alertname: 'WebDegraded' }, startsAt: '2026-12-01T07:00:00.000Z' }]);
  });

  it('leaves generatorURL out when the default found no Application repository (`<no value>`)', async () => {
    await sink.send(notification({ labels: { a: 'b' }, generatorURL: '<no value>' }), { targets: [first.target] });
    expect(JSON.parse(first.requests[0]!.body)[0]).not.toHaveProperty('generatorURL');
  });

  it('sends basicAuth, which wins over bearerToken as in Argo, or else the bearer token', async () => {
    await sink.send(notification(block), { targets: [first.target], basicAuth: { username: 'herald', password: 'pw-4471' }, bearerToken: 'tok-5521' });
    await sink.send(notification(block), { targets: [first.target], bearerToken: 'tok-5521' });
    expect(first.requests.map((r) => r.headers.authorization)).toEqual([`Basic ${Buffer.from('herald:pw-4471').toString('base64')}`, 'Bearer tok-5521']);
  });

  it('posts to every target once per send', async () => {
    await sink.send(notification(block), { targets: [first.target, second.target] });
    expect([first.requests.length, second.requests.length]).toEqual([1, 1]);
    expect(first.requests[0]!.body).toBe(second.requests[0]!.body);
  });

  it('refuses, without a request, a block whose labels render empty or whose startsAt is no time', async () => {
    expect(await rejection(sink.send(notification({ labels: { app: '' } }), { targets: [first.target] }))).toMatchObject({ retryable: false, message: expect.stringContaining('at least one is required') });
    expect(await rejection(sink.send(notification({ labels: { app: 'x' }, startsAt: 'yesterday' }), { targets: [first.target] }))).toMatchObject({ retryable: false, message: expect.stringContaining('startsAt is not a time') });
    expect(first.requests).toHaveLength(0);
  });
});

describe('several targets: one attempt, success when one accepted', () => {
  it('resolves when one target accepted and the other failed, and logs the failed one', async () => {
    second.respond((_req, res) => void res.writeHead(503).end('shutting down'));
    await sink.send(notification(block), { targets: [first.target, second.target] });
    expect(sink.logger.text()).toContain(`http://${second.target}/api/v2/alerts answered 503: shutting down`);
  });

  it('is permanent when every target refused for good, with what each answered', async () => {
    for (const r of [first, second]) r.respond((_req, res) => void res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":400,"message":"labels: invalid label set"}'));
    const err = await rejection(sink.send(notification(block), { targets: [first.target, second.target] }));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toContain('no target accepted the alert');
    expect(err.message).toContain(`http://${first.target}/api/v2/alerts answered 400: {"code":400,"message":"labels: invalid label set"}`);
  });

  it('is retryable when any target may pass later, after the longest Retry-After asked', async () => {
    first.respond((_req, res) => void res.writeHead(401).end('unauthorized'));
    second.respond((_req, res) => void res.writeHead(429, { 'retry-after': '12' }).end());
    expect(await rejection(sink.send(notification(block), { targets: [first.target, second.target] }))).toMatchObject({ retryable: true, retryAfterMs: 12_000 });
  });

  it('a target that cannot be reached or does not answer in `timeout` seconds is retryable', async () => {
    first.respond(() => undefined);
    const err = await rejection(sink.send(notification(block), { targets: [first.target, '127.0.0.1:9'], timeout: 1 }));
    expect(err).toMatchObject({ retryable: true });
    expect(err.message).toContain(`http://${first.target}/api/v2/alerts timed out: no answer within 1 s`);
    expect(err.message).toContain('http://127.0.0.1:9/api/v2/alerts failed');
  });

  it("a target's error answer whose body never ends is read no further than its start", async () => {
    const endless = await startEndlessAnswerServer(503);
    try {
      const target = new URL(endless.url).host;
      const err = await rejection(sink.send(notification(block), { targets: [target], timeout: 60 }));
      expect(err).toMatchObject({ retryable: true, message: expect.stringContaining(`http://${target}/api/v2/alerts answered 503: xxxx`) });
      await eventually(async () => expect(endless.cutOff()).toBe(1));
      expect(endless.bytesSent()).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await endless.close();
    }
  });
});

describe('secrets', () => {
  it('never shows the bearer token or basic auth password, even when the target echoes them', async () => {
    first.respond((req, res) => void res.writeHead(403).end(`denied: ${req.headers.authorization}`));
    for (const auth of [{ bearerToken: 'bearer-secret-8812' }, { basicAuth: { username: 'herald', password: 'basic-secret-7713' } }]) {
      const err = await rejection(sink.send(notification(block), { targets: [first.target], ...auth }));
      const seen = [err.message, err.stack, sink.logger.text()].join('\n');
      expect(err.message).toContain('answered 403: denied: ');
      expect(seen).not.toContain('bearer-secret-8812');
      expect(seen).not.toContain('basic-secret-7713');
      expect(seen).not.toContain(Buffer.from('herald:basic-secret-7713').toString('base64'));
    }
  });
});

describe('the template block schema', () => {
  it("an empty or absent generatorURL gets Argo's: the Argo CD Application's repository URL", () => {
    for (const block of [{ labels: { a: 'b' } }, { labels: { a: 'b' }, generatorURL: '' }]) {
      expect(alertmanagerTemplateSchema.parse(block).generatorURL).toBe('{{.app.spec.source.repoURL}}');
    }
    expect(alertmanagerTemplateSchema.parse({ labels: { a: 'b' }, generatorURL: 'https://x.example' }).generatorURL).toBe('https://x.example');
  });


  it('takes Argo fields, refuses unknown ones and a block without labels', () => {
    expect(alertmanagerTemplateSchema.safeParse({ labels: { a: '{{.app.metadata.name}}' }, annotations: {}, generatorURL: '', startsAt: '' }).success).toBe(true);
    expect(alertmanagerTemplateSchema.safeParse({ labels: {} }).success).toBe(false);
    expect(alertmanagerTemplateSchema.safeParse({ annotations: { a: 'b' } }).success).toBe(false);
    expect(alertmanagerTemplateSchema.safeParse({ labels: { a: 'b' }, label: {} }).success).toBe(false);
  });
});
