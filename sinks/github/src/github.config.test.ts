import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { githubServiceConfigSchema, githubTemplateSchema } from './github.config.ts';
import { repoFullName, truncate } from './repo-url.ts';

describe('service.github options', () => {
  it('takes an Argo github service unchanged; the IDs as numbers or strings, as Argo casts them', () => {
    const parsed = githubServiceConfigSchema.parse({ appID: '12345', installationID: 67890, privateKey: '-----BEGIN RSA PRIVATE KEY-----\n…', enterpriseBaseURL: 'https://ghe.example.com/api/v3', insecureSkipVerify: false, maxIdleConns: 10 });
    expect(parsed).toMatchObject({ appID: 12345, installationID: 67890, enterpriseBaseURL: 'https://ghe.example.com/api/v3' });
  });

  it('requires the App, the installation and the key; refuses unknown keys and IDs that are not numbers', () => {
    expect(githubServiceConfigSchema.safeParse({ appID: 1, installationID: 2 }).success).toBe(false);
    expect(githubServiceConfigSchema.safeParse({ appID: 'app', installationID: 2, privateKey: 'k' }).success).toBe(false);
    expect(githubServiceConfigSchema.safeParse({ appID: 1, installationID: 2, privateKey: 'k', appId: 1 }).success).toBe(false);
  });

  it('marks privateKey secret, so the kernel redacts it', () => {
    const schema = z.toJSONSchema(githubServiceConfigSchema, { metadata: secretRegistry, io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    const secrets = Object.entries(schema.properties).filter(([, p]) => JSON.stringify(p).includes('"x-herald-secret":true')).map(([k]) => k);
    expect(secrets).toEqual(['privateKey']);
  });
});

describe('template github block', () => {
  it("fills in Argo's default repoURLPath and revisionPath (an Argo CD Application's)", () => {
    expect(githubTemplateSchema.parse({ status: { state: 'success' } })).toEqual({
      repoURLPath: '{{.app.spec.source.repoURL}}',
      revisionPath: '{{.app.status.operationState.syncResult.revision}}',
      status: { state: 'success' },
    });
  });

  it("refuses a field Argo does not have, at any depth", () => {
    expect(githubTemplateSchema.safeParse({ checkRun: { detailsURL: 'x' } }).success).toBe(false);
    expect(githubTemplateSchema.safeParse({ pullRequestComment: { tag: 'x' } }).success).toBe(false);
  });
});

describe('repository URL', () => {
  it.each([
    ['https://github.com/acme/web.git', 'acme/web'],
    ['https://github.com/acme/web', 'acme/web'],
    ['git@github.com:acme/web.git', 'acme/web'],
    ['ssh://git@github.com/acme/web.git', 'acme/web'],
    ['https://ghe.example.com/acme/web/tree/main', 'acme/web'],
  ])('%s is %s', (url, name) => {
    const parsed = repoFullName(url);
    expect(parsed && `${parsed.owner}/${parsed.repo}`).toBe(name);
  });

  it('has no owner/repo in a one-segment path', () => {
    expect(repoFullName('https://github.com/acme')).toBeUndefined();
  });

  it('cuts text as Argo does, counting characters', () => {
    expect(truncate('héllo wörld', 8)).toBe('héllo...');
    expect(truncate('short', 8)).toBe('short');
  });
});
