import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { startMotoSqs, type MotoSqs } from '@herald/test-harness';
import { adminClient, createQueue, KEY, notification, queueCounts, receiveAll, rejection, SECRET, startSink, type TestSink } from './__fixtures__/sqs-harness.ts';

let sqs: MotoSqs;
let admin: SQSClient;
let sink: TestSink;
let service: { endpointUrl: string; region: string; key: string; secret: string };
const urls: Record<string, string> = {};

beforeAll(async () => {
  sqs = await startMotoSqs();
  admin = adminClient(sqs.directEndpoint);
  for (const name of ['deploys', 'instant', 'orders.fifo', 'fallback', 'errors']) urls[name] = await createQueue(admin, name);
  service = { endpointUrl: sqs.endpoint, region: 'us-west-2', key: KEY, secret: SECRET };
  sink = await startSink();
});
afterAll(async () => {
  await sink?.handle.stop();
  admin?.destroy();
  await sqs?.stop();
});
beforeEach(() => sqs.reset());

describe('what SQS receives', () => {
  it('looks the queue up, then sends the message with the rendered attributes and Argo’s 10 s delay, signed with the key for the region', async () => {
    const sent = notification('deploys', { message: 'Application web is Synced', awssqs: { messageAttributes: { app: 'web', phase: 'Synced', empty: '' } } });
    await sink.send(sent, service);
    expect(sqs.requests.map((r) => [r.operation, r.body])).toEqual([
      ['GetQueueUrl', { QueueName: 'deploys' }],
      [
        'SendMessage',
        {
          QueueUrl: urls.deploys,
          MessageBody: 'Application web is Synced',
          DelaySeconds: 10,
          MessageAttributes: { app: { DataType: 'String', StringValue: 'web' }, phase: { DataType: 'String', StringValue: 'Synced' } },
        },
      ],
    ]);
    const send = sqs.requests[1]!;
    expect(send.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(send.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(send.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY}/\\d{8}/us-west-2/sqs/aws4_request, `));
    expect(await queueCounts(admin, urls.deploys!)).toEqual({ visible: 0, delayed: 1 });
  });

  it('reads back as sent, and a second send to the queue asks for its URL no more', async () => {
    const own = { ...service, delaySeconds: 0 };
    await sink.send(notification('instant', { message: 'first', awssqs: { messageAttributes: { app: 'web' } } }), own, { name: 'instant' });
    await sink.send(notification('instant', { message: 'second' }), own, { name: 'instant' });
    expect(sqs.requests.map((r) => r.operation)).toEqual(['GetQueueUrl', 'SendMessage', 'SendMessage']);
    const got = await receiveAll(admin, urls.instant!);
    expect(got.map((m) => [m.Body, m.MessageAttributes])).toEqual([
      ['first', { app: { DataType: 'String', StringValue: 'web' } }],
      ['second', undefined],
    ]);
  });

  it('a FIFO queue gets the group id, the idempotency key as deduplication id and no delay; SQS keeps one message of a resend', async () => {
    const sent = notification('orders.fifo', { message: 'Application web is Synced', awssqs: { messageGroupId: 'web' } });
    await sink.send(sent, service);
    await sink.send(sent, service);
    const key = `${sent.idempotencyKey}:${sent.claimRevision}`;
    expect(sqs.requests.filter((r) => r.operation === 'SendMessage').map((r) => r.body)).toEqual([
      { QueueUrl: urls['orders.fifo'], MessageBody: 'Application web is Synced', MessageGroupId: 'web', MessageDeduplicationId: key },
      { QueueUrl: urls['orders.fifo'], MessageBody: 'Application web is Synced', MessageGroupId: 'web', MessageDeduplicationId: key },
    ]);
    const got = await receiveAll(admin, urls['orders.fifo']!);
    expect(got).toHaveLength(1);
    expect(got[0]!.Attributes).toMatchObject({ MessageGroupId: 'web', MessageDeduplicationId: key });
  });

  it("sends to the service's queue when the subscription names none, and asks for the owner account's queue", async () => {
    await sink.send(notification('', { message: 'm' }), { ...service, queue: 'fallback', account: '123456789012' }, { name: 'fallback' });
    expect(sqs.requests[0]!.body).toEqual({ QueueName: 'fallback', QueueOwnerAWSAccountId: '123456789012' });
    expect(sqs.requests[1]!.body).toMatchObject({ QueueUrl: urls.fallback });
  });
});

describe('what SQS refuses', () => {
  it('a queue that does not exist is permanent, with the SQS error, after one request', async () => {
    const err = await rejection(sink.send(notification('no-such-queue', { message: 'x' }), service));
    expect(err).toMatchObject({ retryable: false, code: 'HERALD_ERR_DELIVERY_PERMANENT' });
    expect(err.message).toBe('awssqs "awssqs": GetQueueUrl of no-such-queue: SQS answered HTTP 400 QueueDoesNotExist: The specified queue does not exist.');
    expect(sqs.requests).toHaveLength(1);
  });

  it('a FIFO message without a group id is permanent', async () => {
    const err = await rejection(sink.send(notification('orders.fifo', { message: 'x' }), service));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/^awssqs "awssqs": SendMessage to orders.fifo: SQS answered HTTP 400 /);
  });

  it.each([
    { status: 403, type: 'com.amazonaws.sqs#InvalidClientTokenId', queryError: 'InvalidClientTokenId;Sender', name: 'InvalidClientTokenId' },
    { status: 403, type: 'com.amazonaws.sqs#AccessDenied', queryError: 'AccessDenied;Sender', name: 'AccessDenied' },
  ])('$name is permanent, and neither the key nor the secret shows, though SQS echoed them', async ({ status, type, queryError, name }) => {
    sqs.behave({ status, type, queryError, message: `Credential=${KEY} with secret ${SECRET} was refused` });
    const err = await rejection(sink.send(notification('errors', { message: 'x' }), { ...service }, { name: `refused-${name}` }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toBe(`awssqs "refused-${name}": GetQueueUrl of errors: SQS answered HTTP 403 ${name}: Credential=*** with secret *** was refused`);
    const seen = [err.message, err.stack, String(err.cause), (err.cause as Error | undefined)?.stack, sink.logger.text()].join('\n');
    expect(seen).not.toContain(SECRET);
    expect(seen).not.toContain(KEY);
  });
});

describe('what may pass later', () => {
  it('SQS throttling is retryable', async () => {
    sqs.behave({ status: 400, type: 'com.amazonaws.sqs#RequestThrottled', queryError: 'RequestThrottled;Sender', message: 'Request is throttled.' });
    const err = await rejection(sink.send(notification('errors', { message: 'x' }), service, { name: 'throttled' }));
    expect(err).toMatchObject({ retryable: true, code: 'HERALD_ERR_DELIVERY_TRANSIENT' });
    expect(err.message).toContain('RequestThrottled');
    expect(sqs.requests).toHaveLength(1);
  });

  it('HTTP 500 is retryable, after one request (the SDK does not retry)', async () => {
    sqs.behave('http-500');
    const err = await rejection(sink.send(notification('errors', { message: 'x' }), service, { name: 'five-hundred' }));
    expect(err).toMatchObject({ retryable: true, message: expect.stringContaining('HTTP 500') });
    expect(sqs.requests).toHaveLength(1);
  });

  it('an SQS that never answers is cut by the send signal, then by the service timeout, as retryable', async () => {
    sqs.behave('hang');
    const abort = new AbortController();
    const sending = rejection(sink.send(notification('errors', { message: 'x' }), service, { name: 'hung', signal: abort.signal }));
    abort.abort(new Error('delivery deadline passed'));
    expect(await sending).toMatchObject({ retryable: true, message: 'awssqs "hung": GetQueueUrl of errors aborted: delivery deadline passed' });
    const timedOut = await rejection(sink.send(notification('errors', { message: 'x' }), { ...service, timeout: '200ms' }, { name: 'hung' }));
    expect(timedOut).toMatchObject({ retryable: true, message: 'awssqs "hung": GetQueueUrl of errors aborted: no answer within 200 ms' });
  });

  it('an endpoint that cannot be reached is retryable', async () => {
    const err = await rejection(sink.send(notification('errors', { message: 'x' }), { ...service, endpointUrl: 'http://127.0.0.1:9' }, { name: 'unreachable' }));
    expect(err).toMatchObject({ retryable: true });
  });

  it('stop is idempotent, and a send after it fails as retryable without a request', async () => {
    const own = await startSink();
    await Promise.all([own.handle.stop(), own.handle.stop()]);
    expect(await rejection(own.send(notification('deploys', { message: 'x' }), service))).toMatchObject({ retryable: true, message: 'awssqs "awssqs": the sink is stopped' });
    expect(sqs.requests).toHaveLength(0);
  });
});
