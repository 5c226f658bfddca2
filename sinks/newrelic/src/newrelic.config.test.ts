import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { newrelicServiceConfigSchema } from './newrelic.config.ts';

describe('service.newrelic options', () => {
  it("takes Argo's newrelic service, transport options included", () => {
    expect(newrelicServiceConfigSchema.parse({ apiKey: 'NRAK-1', apiURL: 'https://api.eu.newrelic.com', insecureSkipVerify: true, maxIdleConns: 10, maxIdleConnsPerHost: 2, maxConnsPerHost: 4, idleConnTimeout: '30s' })).toMatchObject({ apiKey: 'NRAK-1', apiURL: 'https://api.eu.newrelic.com', insecureSkipVerify: true });
  });

  it('refuses an unknown key and an invalid value', () => {
    expect(newrelicServiceConfigSchema.safeParse({ apiKey: 'k', token: 'x' }).success).toBe(false);
    expect(newrelicServiceConfigSchema.safeParse({ apiURL: 'https://api.newrelic.com' }).success).toBe(false);
  });

  it('marks the credentials secret, so Herald redacts them', () => {
    const schema = z.toJSONSchema(newrelicServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets).toEqual(['apiKey']);
  });
});
