import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { telegramServiceConfigSchema } from './telegram.config.ts';

describe('service.telegram options', () => {
  it("takes Argo's telegram service (token)", () => {
    expect(telegramServiceConfigSchema.parse({ token: '123:abc' })).toMatchObject({ token: '123:abc', apiURL: 'https://api.telegram.org' });
  });

  it('refuses an unknown key and an invalid value', () => {
    expect(telegramServiceConfigSchema.safeParse({ token: '123:abc', tokn: 'x' }).success).toBe(false);
    expect(telegramServiceConfigSchema.safeParse({ token: '123:abc', apiURL: 'ftp://x' }).success).toBe(false);
  });

  it('marks the credentials secret, so Herald redacts them', () => {
    const schema = z.toJSONSchema(telegramServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets).toEqual(['token']);
  });
});
