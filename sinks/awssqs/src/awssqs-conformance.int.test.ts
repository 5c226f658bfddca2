import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { runSinkConformance, type RemoteFailure } from '@herald/plugin-testing';
import { startMotoSqs, type MotoSqs, type SqsBehaviour } from '@herald/test-harness';
import awssqs from './awssqs-sink.ts';
import { adminClient, createQueue, KEY, queueCounts, SECRET } from './__fixtures__/sqs-harness.ts';

let sqs: MotoSqs;
let admin: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  sqs = await startMotoSqs();
  admin = adminClient(sqs.directEndpoint);
  queueUrl = await createQueue(admin, 'conformance');
});
afterAll(async () => {
  admin?.destroy();
  await sqs?.stop();
});

// SQS sends no Retry-After: its throttling is retryable with Herald's backoff (awssqs-sink.int.test.ts).
const behaviours: Record<Exclude<RemoteFailure, 'throttle'>, SqsBehaviour> = {
  retryable: 'http-500',
  permanent: { status: 403, type: 'com.amazonaws.sqs#AccessDenied', queryError: 'AccessDenied;Sender', message: 'Access to the resource is denied.' },
  hang: 'hang',
};

it('passes the sink conformance kit against moto’s SQS', async () => {
  const report = await runSinkConformance({
    plugin: awssqs,
    service: { type: 'awssqs', name: 'awssqs', config: { endpointUrl: sqs.endpoint, region: 'us-west-2', key: KEY, secret: SECRET, delaySeconds: 0 } },
    secrets: [KEY, SECRET],
    notification: { destination: { service: 'awssqs', serviceType: 'awssqs', recipient: 'conformance' }, rendered: { message: 'Pod web-1 is ready', awssqs: { messageAttributes: { pod: 'web-1' } } } },
    templateBlock: { valid: { messageAttributes: { pod: '{{.obj.metadata.name}}' }, messageGroupId: 'web' }, invalid: { messageAttributes: {}, messageGroupID: 'web' } },
    remote: {
      failures: ['retryable', 'permanent', 'hang'],
      reset: () => sqs.reset(),
      failNext: (kind) => sqs.behave(behaviours[kind as keyof typeof behaviours]),
      // What the queue holds, as SQS counts it.
      accepted: async () => (await queueCounts(admin, queueUrl)).visible,
    },
  });
  expect(report.passed).toEqual(['template-schema', 'first-send-delivers', 'retryable-failure', 'permanent-failure', 'abort-on-hang', 'delivers-after-failures', 'stop-idempotent', 'no-secret-leak']);
});
