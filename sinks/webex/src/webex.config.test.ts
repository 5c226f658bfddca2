import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { webexServiceConfigSchema } from './webex.config.ts';

describe('service.webex options', () => {
  it("takes Argo's webex service, transport options included", () => {
    expect(webexServiceConfigSchema.parse({ token: 'w', apiURL: 'https://webexapis.com', insecureSkipVerify: true, maxIdleConns: 10, maxIdleConnsPerHost: 2, maxConnsPerHost: 4, idleConnTimeout: '30s' })).toMatchObject({ token: 'w', apiURL: 'https://webexapis.com', insecureSkipVerify: true, idleConnTimeout: 30_000 });
  });

  it('refuses an unknown key and an invalid value', () => {
    expect(webexServiceConfigSchema.safeParse({ token: 'w', apiUrl2: 'x' }).success).toBe(false);
    expect(webexServiceConfigSchema.safeParse({ token: 'w', apiURL: 'ftp://x' }).success).toBe(false);
  });

  it('marks the credentials secret, so Herald redacts them', () => {
    const schema = z.toJSONSchema(webexServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets).toEqual(['token']);
  });
});
