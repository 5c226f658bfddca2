import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { grafanaServiceConfigSchema } from './grafana.config.ts';

describe('service.grafana options', () => {
  it("takes Argo's grafana service, transport options included", () => {
    expect(grafanaServiceConfigSchema.parse({ apiUrl: 'https://grafana.example.com/api', apiKey: 'k', insecureSkipVerify: true, maxIdleConns: 10, maxIdleConnsPerHost: 2, maxConnsPerHost: 4, idleConnTimeout: '30s' })).toMatchObject({ apiUrl: 'https://grafana.example.com/api', apiKey: 'k', insecureSkipVerify: true });
  });

  it('refuses an unknown key and an invalid value', () => {
    expect(grafanaServiceConfigSchema.safeParse({ apiUrl: 'https://g/api', apiKey: 'k', apikey2: 'x' }).success).toBe(false);
    expect(grafanaServiceConfigSchema.safeParse({ apiKey: 'k' }).success).toBe(false);
  });

  it('marks the credentials secret, so Herald redacts them', () => {
    const schema = z.toJSONSchema(grafanaServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets).toEqual(['apiKey']);
  });
});
