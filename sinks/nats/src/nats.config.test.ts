import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { natsServiceConfigSchema } from './nats.config.ts';

describe('service.nats options', () => {
  it("takes an Argo nats service unchanged", () => {
    const parsed = natsServiceConfigSchema.parse({
      url: 'nats://nats.nats.svc.cluster.local:4222',
      headers: { 'X-Source': 'argocd' },
      nkey: 'SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY',
      username: 'argo',
      password: 'secret',
    });
    expect(parsed).toMatchObject({ url: 'nats://nats.nats.svc.cluster.local:4222', headers: { 'X-Source': 'argocd' }, username: 'argo' });
  });

  it('takes several servers separated by commas, tls:// and a bare host:port, as nats.go does; an empty option is unset', () => {
    expect(natsServiceConfigSchema.parse({ url: 'nats://a:4222, tls://b:4222,c:4222', headers: null, nkey: null }).headers).toBeUndefined();
  });

  it('requires a url, refuses unknown keys and a non-NATS url', () => {
    expect(natsServiceConfigSchema.safeParse({}).success).toBe(false);
    expect(natsServiceConfigSchema.safeParse({ url: 'nats://a:4222', subject: 'x' }).success).toBe(false);
    expect(natsServiceConfigSchema.safeParse({ url: 'http://a:4222' }).success).toBe(false);
  });

  it('marks nkey and password secret, so the kernel redacts them', () => {
    const schema = z.toJSONSchema(natsServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets.sort()).toEqual(['nkey', 'password']);
  });
});
