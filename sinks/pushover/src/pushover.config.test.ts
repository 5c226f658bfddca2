import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { pushoverServiceConfigSchema } from './pushover.config.ts';

describe('service.pushover options', () => {
  it("takes Argo's pushover service (token)", () => {
    expect(pushoverServiceConfigSchema.parse({ token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi' })).toMatchObject({ token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi', apiURL: 'https://api.pushover.net/1' });
  });

  it('refuses an unknown key and an invalid value', () => {
    expect(pushoverServiceConfigSchema.safeParse({ token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi', user: 'x' }).success).toBe(false);
    expect(pushoverServiceConfigSchema.safeParse({ token: 'not-a-pushover-token' }).success).toBe(false);
  });

  it('marks the credentials secret, so Herald redacts them', () => {
    const schema = z.toJSONSchema(pushoverServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets).toEqual(['token']);
  });
});
