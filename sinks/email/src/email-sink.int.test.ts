import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMailpit, type Mailpit } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/email-harness.ts';

const FROM = 'Herald <herald@example.com>';

describe('email sink against Mailpit (plain SMTP)', () => {
  let mailpit: Mailpit;
  let sink: TestSink;
  beforeAll(async () => {
    mailpit = await startMailpit();
    sink = await startSink();
  });
  afterEach(async () => {
    await mailpit.chaos({});
    await mailpit.deleteAll();
  });
  afterAll(async () => {
    await sink?.handle.stop();
    await mailpit?.stop();
  });
  const service = () => ({ host: '127.0.0.1', port: mailpit.smtpPort, from: FROM });

  it('delivers the rendered subject and body to every comma-separated recipient, with a Message-ID from the idempotency key', async () => {
    const n = notification('ops@example.com, dev@example.com', { message: 'ignored', email: { subject: 'web-1 is ready', body: 'Pod web-1 went Running' } }, { idempotencyKey: 'abc123', claimRevision: 4 });
    await sink.send(n, service());

    const [summary] = await mailpit.messages();
    expect(summary).toMatchObject({ Subject: 'web-1 is ready', MessageID: 'abc123.4@example.com', From: { Name: 'Herald', Address: 'herald@example.com' } });
    expect(summary!.To.map((t) => t.Address)).toEqual(['ops@example.com', 'dev@example.com']);
    const message = await mailpit.message(summary!.ID);
    expect(message.Text.trim()).toBe('Pod web-1 went Running');
    expect((await mailpit.headers(summary!.ID))['X-Herald-Idempotency-Key']).toEqual(['abc123:4']);
  });

  it("sends the rendered message when the template has no email body, as HTML when the service says html: true", async () => {
    await sink.send(notification('ops@example.com', { message: '<b>web-1</b> is ready' }), { ...service(), html: true });
    const [summary] = await mailpit.messages();
    const message = await mailpit.message(summary!.ID);
    expect(message.HTML).toContain('<b>web-1</b> is ready');
    expect(summary!.Subject).toBe('');
  });

  it("a 5xx reply is permanent and carries the server's reply; a 4xx reply is retryable", async () => {
    await mailpit.chaos({ recipient: { errorCode: 550, probability: 100 } });
    const refused = await rejection(sink.send(notification('ops@example.com', { message: 'x' }), service()));
    expect(refused).toMatchObject({ name: 'DeliveryError', retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(refused.message).toMatch(/^email "email": the SMTP server refused the message \(after RCPT\): 550 /);

    await mailpit.chaos({ sender: { errorCode: 421, probability: 100 } });
    const deferred = await rejection(sink.send(notification('ops@example.com', { message: 'x' }), service()));
    expect(deferred).toMatchObject({ retryable: true, code: 'HERALD_ERR_DELIVERY_TRANSIENT' });
    expect(deferred.message).toContain('421');
    expect(await mailpit.messages()).toEqual([]);
  });

  it('makes one SMTP client span per send, marked failed with the reply code', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const traced = await startSink({}, provider.getTracer('herald.plugin.email'));
    try {
      await traced.send(notification('ops@example.com', { message: 'x' }, { idempotencyKey: 'k9', claimRevision: 1 }), service());
      await mailpit.chaos({ recipient: { errorCode: 550, probability: 100 } });
      await rejection(traced.send(notification('ops@example.com', { message: 'x' }), service()));
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => [s.name, s.kind, s.status.code, s.attributes['error.type']])).toEqual([
        ['SMTP 127.0.0.1', SpanKind.CLIENT, SpanStatusCode.UNSET, undefined],
        ['SMTP 127.0.0.1', SpanKind.CLIENT, SpanStatusCode.ERROR, '550'],
      ]);
      expect(spans[0]!.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': mailpit.smtpPort, 'messaging.message.id': '<k9.1@example.com>' });
    } finally {
      await traced.handle.stop();
      await provider.shutdown();
    }
  });

  it('a refused connection is retryable', async () => {
    const closed = await startMailpit();
    const port = closed.smtpPort;
    await closed.stop();
    const err = await rejection(sink.send(notification('ops@example.com', { message: 'x' }), { ...service(), port }));
    expect(err).toMatchObject({ retryable: true });
    expect(err.message).toMatch(/^email "email": /);
  });

  it('a recipient that is not an address is permanent, naming it', async () => {
    const err = await rejection(sink.send(notification('ops@example.com, not an address', { message: 'x' }), service()));
    expect(err).toMatchObject({ retryable: false, message: 'email "email": "not an address" is not an email address' });
  });
});

describe('email sink against Mailpit requiring STARTTLS and AUTH', () => {
  const PASSWORD = 'p4ss-w0rd-for-smtp';
  let mailpit: Mailpit;
  let sink: TestSink;
  beforeAll(async () => {
    mailpit = await startMailpit({ requireStarttls: true, auth: { username: 'herald', password: PASSWORD } });
    sink = await startSink({ timeout: 5_000 });
  });
  afterAll(async () => {
    await sink?.handle.stop();
    await mailpit?.stop();
  });
  const service = (extra: Record<string, unknown> = {}) => ({ host: '127.0.0.1', port: mailpit.smtpPort, from: FROM, username: 'herald', password: PASSWORD, insecure_skip_verify: true, ...extra });

  it('upgrades with STARTTLS and authenticates', async () => {
    await sink.send(notification('ops@example.com', { message: 'over TLS' }), service());
    expect((await mailpit.messages()).map((m) => m.Snippet)).toEqual(['over TLS']);
  });

  it("an untrusted certificate is permanent unless insecure_skip_verify", async () => {
    const err = await rejection(sink.send(notification('ops@example.com', { message: 'x' }), service({ insecure_skip_verify: false }), { name: 'strict' }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/certificate/);
  });

  it('a wrong password is permanent, with the reply and without the password', async () => {
    const wrong = 'wrong-secret-password';
    const err = await rejection(sink.send(notification('ops@example.com', { message: 'x' }), service({ password: wrong }), { name: 'wrong' }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/535/);
    expect(JSON.stringify([err.message, err.stack, sink.logger.text()])).not.toContain(wrong);
  });
});

describe('implicit TLS on port 465 (SMTPS), as providers serve it', () => {
  const PASSWORD = 'smtps-p4ss-w0rd';
  let mailpit: Mailpit;
  let sink: TestSink;
  beforeAll(async () => {
    mailpit = await startMailpit({ implicitTls: true, auth: { username: 'herald', password: PASSWORD } });
    sink = await startSink({ timeout: 5_000 });
  });
  afterAll(async () => {
    await sink?.handle.stop();
    await mailpit?.stop();
  });

  it('speaks TLS from the first byte on 465 and authenticates', async () => {
    const service = { host: mailpit.smtpHost, port: 465, from: FROM, username: 'herald', password: PASSWORD, insecure_skip_verify: true };
    await sink.send(notification('ops@example.com', { message: 'over SMTPS' }), service);
    expect((await mailpit.messages()).map((m) => m.Snippet)).toEqual(['over SMTPS']);
  });
});
