import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { rocketchatServiceConfigSchema } from './rocketchat.config.ts';

describe('service.rocketchat options', () => {
  it("takes Argo's rocketchat service, every option", () => {
    expect(rocketchatServiceConfigSchema.parse({ serverUrl: 'https://chat.example.com', email: 'bot@example.com', password: 'p', alias: 'Argo', icon: ':rocket:', avatar: 'https://example.com/a.png' })).toMatchObject({ serverUrl: 'https://chat.example.com', email: 'bot@example.com', alias: 'Argo', icon: ':rocket:' });
  });

  it('refuses an unknown key and an invalid value', () => {
    expect(rocketchatServiceConfigSchema.safeParse({ serverUrl: 'https://c', email: 'e', password: 'p', token: 'x' }).success).toBe(false);
    expect(rocketchatServiceConfigSchema.safeParse({ serverUrl: 'https://c', email: 'e' }).success).toBe(false);
  });

  it('marks the credentials secret, so Herald redacts them', () => {
    const schema = z.toJSONSchema(rocketchatServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets).toEqual(['password']);
  });
});
