import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { slackServiceConfigSchema } from './slack.config.ts';

describe('service.slack options', () => {
  it('takes an Argo slack service unchanged, transport options included', () => {
    const parsed = slackServiceConfigSchema.parse({
      token: 'xoxb-1',
      username: 'Argo CD',
      icon: ':rocket:',
      signingSecret: 's3cr3t',
      channels: ['ops'],
      apiURL: 'https://slack.example.com/api',
      disableUnfurl: true,
      insecureSkipVerify: true,
      maxIdleConns: 10,
      maxIdleConnsPerHost: 2,
      maxConnsPerHost: 4,
      idleConnTimeout: '30s',
    });
    expect(parsed).toMatchObject({ token: 'xoxb-1', disableUnfurl: true, insecureSkipVerify: true, maxConnsPerHost: 4, idleConnTimeout: 30_000 });
  });

  it('requires a token, refuses unknown keys and a non-http apiURL', () => {
    expect(slackServiceConfigSchema.safeParse({}).success).toBe(false);
    expect(slackServiceConfigSchema.safeParse({ token: 'x', tokn: 'y' }).success).toBe(false);
    expect(slackServiceConfigSchema.safeParse({ token: 'x', apiURL: 'ftp://slack' }).success).toBe(false);
  });

  it('marks token and signingSecret secret, so the kernel redacts them', () => {
    const schema = z.toJSONSchema(slackServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets.sort()).toEqual(['signingSecret', 'token']);
  });
});
