import { describe, expect, it } from 'vitest';
import { gcppubsubServiceConfigSchema, gcppubsubTemplateSchema } from './gcppubsub.config.ts';
import { pubsubError } from './errors.ts';

describe('service.gcppubsub options', () => {
  it('takes an Argo gcppubsub service unchanged; the project is required', () => {
    expect(gcppubsubServiceConfigSchema.parse({ topic: 'argocd', project: 'acme', keyFile: '/var/run/key.json' })).toEqual({ topic: 'argocd', project: 'acme', keyFile: '/var/run/key.json' });
    expect(gcppubsubServiceConfigSchema.safeParse({ topic: 'argocd' }).success).toBe(false);
    expect(gcppubsubServiceConfigSchema.safeParse({ project: 'acme', topicName: 'x' }).success).toBe(false);
  });

  it("the template block takes Argo's attributes only", () => {
    expect(gcppubsubTemplateSchema.safeParse({ attributes: { app: '{{.app.metadata.name}}' } }).success).toBe(true);
    expect(gcppubsubTemplateSchema.safeParse({ orderingKey: 'x' }).success).toBe(false);
  });
});

describe('gRPC errors', () => {
  const grpc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details });

  it.each([
    [14, 'UNAVAILABLE', true],
    [4, 'DEADLINE_EXCEEDED', true],
    [8, 'RESOURCE_EXHAUSTED', true],
    [13, 'INTERNAL', true],
    [5, 'NOT_FOUND', false],
    [7, 'PERMISSION_DENIED', false],
    [16, 'UNAUTHENTICATED', false],
    [3, 'INVALID_ARGUMENT', false],
  ])('code %i (%s) is retryable: %s', (code, name, retryable) => {
    const err = pubsubError('gcppubsub "p": publish to t', grpc(code, 'what the API said'));
    expect(err).toMatchObject({ retryable, message: `gcppubsub "p": publish to t: Pub/Sub answered ${name}: what the API said` });
  });

  it('an error without a gRPC code (no connection) is retryable', () => {
    expect(pubsubError('w', new Error('socket hang up'))).toMatchObject({ retryable: true, message: 'w: socket hang up' });
  });
});
