import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseDocument, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ExitCode, runCli } from '@herald/core-cli';
import { CORPUS_DIR } from './corpus.ts';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

// Issue 17's leftover: Argo CD's own catalog, plus a service for every service its templates speak to
// (email, slack, teams), written with the options Argo CD's docs give, is a valid Herald config.
describe('herald config validate on Argo CD\'s notifications catalog', () => {
  // The first run imports every built-in sink for its schemas: seconds on a loaded machine.
  it('says the catalog with an email, a slack and a teams service, as Argo CD documents them, is valid', { timeout: 120_000 }, async () => {
    const manifest = parseDocument(readFileSync(join(CORPUS_DIR, 'upstream/argo-cd/catalog-install.yaml'), 'utf8'));
    const data = manifest.get('data') as { set(k: string, v: string): void };
    data.set('service.email.gmail', 'username: $email-username\npassword: $email-password\nhost: smtp.gmail.com\nport: 465\nfrom: $email-username\n');
    data.set('service.slack', 'token: $slack-token\nusername: argocd\nicon: ":rocket:"\n');
    data.set('service.teams', 'recipientUrls:\n  channelName: $channel-teams-url\n');
    const dir = mkdtempSync(join(tmpdir(), 'herald-catalog-'));
    writeFileSync(join(dir, 'cm.yaml'), manifest.toString());
    writeFileSync(
      join(dir, 'secret.yaml'),
      stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'argocd-notifications-secret' },
        stringData: { 'email-username': 'argocd@example.com', 'email-password': 'p', 'slack-token': 'xoxb-1', 'channel-teams-url': 'https://example.webhook.office.com/1' },
      }),
    );
    const stdout = sink();
    const stderr = sink();
    const code = await runCli(['config', 'validate', join(dir, 'cm.yaml'), '--secret', join(dir, 'secret.yaml'), '-o', 'json'], { stdout: stdout.stream, stderr: stderr.stream });
    const report = JSON.parse(stdout.text()) as { valid: boolean; issues: { severity: string; key: string; message: string }[] };
    expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(report.valid).toBe(true);
    expect(code).toBe(ExitCode.ok);
  });
});
