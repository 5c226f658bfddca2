import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNats, type NatsServer } from '@herald/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Herald as a user runs it: the CLI, in its own process (spawned, not imported: a source never imports the kernel).
const main = fileURLToPath(new URL('../../../core/cli/src/main.ts', import.meta.url));

const application = (phase: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: argocd
  annotations:
    notifications.argoproj.io/subscribe.on-sync-succeeded.hook: ""
status:
  operationState:
    phase: ${phase}
`;

interface Received {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: string;
}

let nats: NatsServer;
let receiver: Server;
const received: Received[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  nats = await startNats();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await new Promise((resolve) => receiver?.close(resolve));
  await nats?.stop();
});

/** Runs `herald run` (all roles) in `cwd`; resolves once it is running. */
async function herald(cwd: string): Promise<{ child: ChildProcess; logs: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['--conditions=herald-source', main, 'run', '-c', 'herald.yaml', '-o', 'json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const logs = () => `${stdout}\n${stderr}`;
  await until(() => stdout.includes('"event":"running"') || child.exitCode !== null, 'herald to start', logs);
  expect(child.exitCode, logs()).toBeNull();
  const stop = async () => {
    child.kill('SIGTERM');
    return child.exitCode ?? new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  };
  return { child, logs, stop };
}

/** herald.yaml of a run from `manifests/` with the webhook sink; `prefix` names its own subjects and streams. */
function heraldYaml(options: { prefix?: string; resyncPeriod?: string } = {}): string {
  const { prefix, resyncPeriod } = options;
  return `nats:
  servers: [${nats.url}]${prefix ? `\n  subjectPrefix: ${prefix}\n  streamPrefix: ${prefix.toUpperCase()}` : ''}
notifications:
  files: { configMap: notifications-cm.yaml }
  variables: { Application: app }
state:
  mirrorAnnotations: false
plugins:
  - name: "@herald/source-file"
    options: { path: manifests${resyncPeriod ? `, resyncPeriod: ${resyncPeriod}` : ''} }
  - name: "@herald/sink-webhook"
`;
}

async function until(check: () => boolean, what: string, logs: () => string = () => ''): Promise<void> {
  for (const deadline = Date.now() + 30_000; !check(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${logs().slice(-4000)}`);
  }
}

describe('herald with the file source, no cluster', () => {
  it('sends the webhook of an Argo trigger when a YAML file is edited; a restart over unchanged files publishes nothing new', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-file-source-'));
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, 'manifests', 'guestbook.yaml'), application('Running'));
    writeFileSync(
      join(dir, 'notifications-cm.yaml'),
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: herald-notifications-cm
data:
  trigger.on-sync-succeeded: |
    - when: app.status.operationState.phase in ['Succeeded']
      send: [app-sync-succeeded]
  template.app-sync-succeeded: |
    webhook:
      hook:
        method: POST
        path: /sync
        body: '{"app": "{{.app.metadata.name}}", "phase": "{{.app.status.operationState.phase}}"}'
  service.webhook.hook: |
    url: http://127.0.0.1:${(receiver.address() as AddressInfo).port}
`,
    );
    writeFileSync(join(dir, 'herald.yaml'), heraldYaml());

    const nc = await connect({ servers: nats.url });
    const events = async () => (await (await jetstreamManager(nc)).streams.info('HERALD_EVENTS')).state.messages;
    try {
      const first = await herald(dir);
      await until(() => first.logs().includes('published the 1 object(s) of 1 file(s)'), 'the folder to be published', first.logs);
      expect(await first.stop()).toBe(0);
      const published = await events();
      expect(published).toBe(1);

      // A restart over unchanged files publishes the same event, which the bus drops as a repeat.
      const second = await herald(dir);
      await until(() => second.logs().includes('published the 1 object(s) of 1 file(s)'), 'the folder to be published again', second.logs);
      expect(await events()).toBe(published);

      writeFileSync(join(dir, 'manifests', 'guestbook.yaml'), application('Succeeded'));
      await until(() => received.length > 0, 'the webhook', second.logs);
      expect(received).toEqual([expect.objectContaining({ method: 'POST', url: '/sync', body: '{"app": "guestbook", "phase": "Succeeded"}' })]);
      expect(await events()).toBe(published + 1);
      expect(await second.stop()).toBe(0);
    } finally {
      await nc.close();
    }
  }, 120_000);

  it('with resyncPeriod, sends the webhook of a condition on the clock when its time comes, the file unchanged, and once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-file-source-'));
    mkdirSync(join(dir, 'manifests'));
    const due = new Date(Date.now() + 3_000).toISOString();
    writeFileSync(
      join(dir, 'manifests', 'release.yaml'),
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: release
  namespace: argocd
  annotations:
    due: "${due}"
    notifications.argoproj.io/subscribe.on-due.hook: ""
`,
    );
    writeFileSync(
      join(dir, 'notifications-cm.yaml'),
      `data:
  trigger.on-due: |
    - when: time.Now().After(time.Parse(app.metadata.annotations.due))
      send: [due]
  template.due: |
    webhook:
      hook:
        method: POST
        path: /due
        body: '{{.app.metadata.name}}'
  service.webhook.hook: |
    url: http://127.0.0.1:${(receiver.address() as AddressInfo).port}
`,
    );
    // Without resyncPeriod the webhook never comes (checked by hand: 30 s without it).
    writeFileSync(join(dir, 'herald.yaml'), heraldYaml({ prefix: 'due', resyncPeriod: '1s' }));
    const nc = await connect({ servers: nats.url });
    const events = async () => (await (await jetstreamManager(nc)).streams.info('DUE_EVENTS')).state.messages;
    const sent = () => received.filter((r) => r.url === '/due');
    try {
      const run = await herald(dir);
      await until(() => sent().length > 0, 'the webhook once its time came', run.logs);
      expect(sent()).toEqual([expect.objectContaining({ method: 'POST', body: 'release' })]);
      // Resyncs go on (three more events of the object); the notification is not sent again.
      const after = await events();
      for (let more = after; more < after + 3; more = await events()) await new Promise((r) => setTimeout(r, 100));
      expect(sent()).toHaveLength(1);
      expect(await run.stop()).toBe(0);
    } finally {
      await nc.close();
    }
  }, 120_000);
});
