import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isClusterRef, readClusterInputs } from './cluster-inputs.ts';

const dir = mkdtempSync(join(tmpdir(), 'herald-inputs-'));
const names = { configMap: 'herald-notifications-cm', secret: 'herald-notifications-secret' };

describe('isClusterRef', () => {
  it.each([
    ['deploy/web', true],
    ['deployments.apps/web', true],
    ['certificates.cert-manager.io/tls-1', true],
    ['-', false],
    ['pod.yaml', false],
    ['/abs/pod.yaml', false],
    ['a/b/c', false],
  ])('%s → %s', (value, expected) => {
    expect(isClusterRef(value)).toBe(expected);
  });

  it('takes an existing file over a kind/name of the same spelling', () => {
    const sub = join(dir, 'pods');
    writeFileSync(`${sub}-web`, 'kind: Pod\n');
    expect(isClusterRef(`${sub}-web`)).toBe(false);
  });
});

describe('readClusterInputs from files', () => {
  it('never reaches for a cluster when every input is a file, and takes :empty for no Secret', async () => {
    const cm = join(dir, 'cm.yaml');
    writeFileSync(cm, 'data:\n  template.t: "message: hi"\n');
    const pod = join(dir, 'pod.yaml');
    writeFileSync(pod, 'kind: Pod\nmetadata: {name: web}\n');
    const inputs = await readClusterInputs({ configMap: cm, secret: ':empty', resource: pod, kubeconfig: '/no/such/kubeconfig', names });
    expect(inputs).toMatchObject({ configMap: { data: { 'template.t': 'message: hi' } }, secrets: {}, object: { kind: 'Pod' }, origins: { configMap: cm, object: pod } });
  });
});
