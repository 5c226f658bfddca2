import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { herald } from '../__fixtures__/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'herald-route-test-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const cm = file(
  'cm.yaml',
  `data:
  trigger.on-running: |
    - when: pod.status.phase == 'Running'
      send: [m]
  trigger.on-failed: |
    - when: pod.status.phase == 'Failed'
      send: [m]
  template.m: "message: hi"
  service.webhook.hook: "url: http://127.0.0.1:1/"
  service.webhook.audit: "url: http://127.0.0.1:1/"
  subscriptions: |
    - recipients: ["audit:"]
      triggers: [on-running, on-failed]
      selector: app=web
`,
);
const pod = (name: string, extra = '') =>
  file(
    `${name}.yaml`,
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: default\n  uid: uid-${name}\n  labels: {app: web}\n  annotations:\n    notifications.argoproj.io/subscribe.on-running.hook: ""\n${extra}status:\n  phase: Running\n`,
  );
const routeTest = (resource: string, ...args: string[]) => herald('route', 'test', resource, '--config-map', cm, '--no-bus', ...args);

describe('herald route test (dedup state from the annotation)', () => {
  it('lists the subscriptions with their origin, the conditions and who would be notified', async () => {
    const run = await routeTest(pod('web-1'));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^on-running\s+hook:\s+webhook\s+notifications\.argoproj\.io\/subscribe\.on-running\.hook$/m);
    expect(run.stdout).toMatch(/^on-failed\s+audit:\s+webhook\s+subscriptions\[0\]$/m);
    expect(run.stdout).toMatch(/^on-failed\s+\[0\]\.\S+\s+false\s+m\s+pod\.status\.phase == 'Failed'$/m);
    expect(run.stdout).toContain('dedup state: from the notified annotation (--no-bus)\nwould notify: audit:, hook:\n');
  });

  it('counts a key in the notified annotation as already notified, as adopting it would', async () => {
    const first = JSON.parse((await routeTest(pod('web-2'), '-o', 'json')).stdout);
    const key = first.decisions.find((d: { destination: string; triggered: boolean }) => d.destination === 'hook:' && d.triggered).stateKey;
    const notified = pod('web-3', `    notified.notifications.argoproj.io: '${JSON.stringify({ [key]: 1700000000 })}'\n`);
    const report = JSON.parse((await routeTest(notified, '-o', 'json')).stdout);
    expect(report.decisions.find((d: { stateKey: string }) => d.stateKey === key)).toMatchObject({ notified: { status: 'adopted', at: 1700000000, from: 'annotation' }, send: false });
    expect(report.destinations).toEqual(['audit:']);
  });

  it('--expect: exit 0 when the destinations are exactly those, 1 otherwise, 2 when malformed', async () => {
    expect((await routeTest(pod('web-4'), '--expect', 'hook:', '--expect', 'audit:')).code).toBe(0);
    const mismatch = await routeTest(pod('web-4'), '--expect', 'hook:,slack:ops');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain('expected: hook:, slack:ops: MISMATCH; not notified: slack:ops; notified but not expected: audit:\n');
    expect((await routeTest(pod('web-4'), '--expect', 'hook')).code).toBe(2);
  });

  it('refuses a config with errors, naming them', async () => {
    const broken = file('broken.yaml', 'data:\n  trigger.t: |\n    - when: "("\n      send: [m]\n  template.m: "message: hi"\n');
    const run = await herald('route', 'test', pod('web-5'), '--config-map', broken, '--no-bus', '-o', 'json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: 'HERALD_ERR_NOTIFICATION_CONFIG', issues: [expect.stringContaining('trigger.t')] });
  });
});
