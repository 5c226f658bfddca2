import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretRegistry, z } from '@herald/plugin-sdk';
import { pullRequestCommentContent } from './github-actions.ts';
import { githubServiceConfigSchema, githubTemplateSchema } from './github.config.ts';
import { repoFullName, truncate } from './repo-url.ts';

const rsaKey = (type: 'pkcs1' | 'pkcs8') => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type, format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;

describe('service.github options', () => {
  it('takes an Argo github service unchanged; the IDs as numbers or strings, as Argo casts them', () => {
    const parsed = githubServiceConfigSchema.parse({ appID: '12345', installationID: 67890, privateKey: rsaKey('pkcs1'), enterpriseBaseURL: 'https://ghe.example.com/api/v3', insecureSkipVerify: false, maxIdleConns: 10 });
    expect(parsed).toMatchObject({ appID: 12345, installationID: 67890, enterpriseBaseURL: 'https://ghe.example.com/api/v3' });
  });

  it('requires the App, the installation and the key; refuses unknown keys and IDs that are not numbers', () => {
    expect(githubServiceConfigSchema.safeParse({ appID: 1, installationID: 2 }).success).toBe(false);
    expect(githubServiceConfigSchema.safeParse({ appID: 'app', installationID: 2, privateKey: 'k' }).success).toBe(false);
    expect(githubServiceConfigSchema.safeParse({ appID: 1, installationID: 2, privateKey: 'k', appId: 1 }).success).toBe(false);
  });

  it('refuses a private key Argo cannot parse, as Argo refuses it at load, without quoting it; takes PKCS1 and PKCS8 RSA keys', () => {
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    for (const privateKey of ['not-a-key-hunter2', ecKey]) {
      const result = githubServiceConfigSchema.safeParse({ appID: 1, installationID: 2, privateKey });
      expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['privateKey: is not a GitHub App private key: it must be a PEM encoded PKCS1 or PKCS8 RSA key']);
      expect(JSON.stringify(result.error)).not.toContain(privateKey.includes('hunter2') ? 'hunter2' : privateKey.split('\n')[1]);
    }
    for (const type of ['pkcs1', 'pkcs8'] as const) expect(githubServiceConfigSchema.safeParse({ appID: 1, installationID: 2, privateKey: rsaKey(type) }).success).toBe(true);
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

  it("ends a tagged comment's content with the tag's marker, as Argo's templater renders it; an untagged one is the content", () => {
    expect(pullRequestCommentContent({ content: 'Synced', commentTag: 'web' })).toBe('Synced\n<!-- argocd-notifications web -->');
    expect(pullRequestCommentContent({ commentTag: 'web' })).toBe('\n<!-- argocd-notifications web -->');
    expect(pullRequestCommentContent({ content: 'Synced' })).toBe('Synced');
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
