import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { awssqsServiceConfigSchema, awssqsTemplateSchema } from './awssqs.config.ts';

describe('service.awssqs options', () => {
  it("takes an Argo awssqs service unchanged, with Argo's 10 s delay by default", () => {
    const parsed = awssqsServiceConfigSchema.parse({ queue: 'myqueue', account: '1234567', region: 'us-east-2', endpointUrl: 'http://localstack:4566', key: 'AKID', secret: 's3cr3t' });
    expect(parsed).toEqual({ queue: 'myqueue', account: '1234567', region: 'us-east-2', endpointUrl: 'http://localstack:4566', key: 'AKID', secret: 's3cr3t', delaySeconds: 10 });
  });

  it('takes an empty service (queue from the recipient, the rest from the environment), and empty options as unset', () => {
    expect(awssqsServiceConfigSchema.parse({})).toEqual({ delaySeconds: 10 });
    expect(awssqsServiceConfigSchema.parse({ account: null, key: '' })).toEqual({ delaySeconds: 10 });
  });

  it('refuses unknown keys, a non-http endpointUrl and a delay SQS refuses', () => {
    expect(awssqsServiceConfigSchema.safeParse({ queueName: 'q' }).success).toBe(false);
    expect(awssqsServiceConfigSchema.safeParse({ endpointUrl: 'localstack:4566' }).success).toBe(false);
    expect(awssqsServiceConfigSchema.safeParse({ delaySeconds: 901 }).success).toBe(false);
  });

  it('marks key and secret secret, so the kernel redacts them', () => {
    const schema = z.toJSONSchema(awssqsServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets.sort()).toEqual(['key', 'secret']);
  });
});

describe('template awssqs block', () => {
  it("takes Argo's fields and refuses others", () => {
    expect(awssqsTemplateSchema.safeParse({ messageAttributes: { app: '{{.app.metadata.name}}' }, messageGroupId: '{{.app.metadata.name}}' }).success).toBe(true);
    expect(awssqsTemplateSchema.safeParse({ messageAttributes: { app: 1 } }).success).toBe(false);
    expect(awssqsTemplateSchema.safeParse({ messageDeduplicationId: 'x' }).success).toBe(false);
  });
});
