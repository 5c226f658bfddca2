// The docker compose stack a newcomer runs (deploy/compose/compose.yaml), run for real: built, started, driven
// by editing an object file, read back through the webhook receiver, Mailpit's, Jaeger's and Prometheus's APIs; NATS
// restarted in the middle of a burst loses nothing; Herald started before NATS waits for it without crash-looping;
// `down -v` leaves nothing behind.
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, freePort } from '@herald/test-harness';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { compose, docker } from './docker-cli.ts';

const stackDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../deploy/compose');
const files = [join(stackDir, 'compose.yaml')];
const project = `herald-ci-${process.pid}`;

interface Received {
  method: string;
  path: string;
  body: string;
  traceparent?: string;
}
interface JaegerSpan {
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
}

describe('docker compose stack', () => {
  const env: Record<string, string> = {};
  let objects = '';

  const url = (port: string, path: string) => `http://127.0.0.1:${env[port]}${path}`;
  const getJson = async <T>(port: string, path: string): Promise<T> => {
    const res = await fetch(url(port, path));
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const received = () => getJson<Received[]>('HERALD_RECEIVER_PORT', '/requests');
  const pod = (name: string, phase: string) =>
    readFileSync(join(stackDir, 'objects/pod.yaml'), 'utf8').replace(/^ {2}name: web-1$/m, `  name: ${name}`).replace(/^ {2}phase: Pending$/m, `  phase: ${phase}`);
  const writeObject = (name: string, phase: string) => {
    writeFileSync(join(objects, `${name}.yaml`), pod(name, phase));
    chmodSync(join(objects, `${name}.yaml`), 0o644);
  };

  /** Sum of Argo's `notifications_deliveries_total{succeeded="true"}` on Herald's /metrics. */
  const deliveriesSucceeded = async () => {
    const metrics = await (await fetch(url('HERALD_TELEMETRY_PORT', '/metrics'))).text();
    return metrics
      .split('\n')
      .filter((l) => l.startsWith('notifications_deliveries_total{') && l.includes('succeeded="true"'))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  };

  beforeAll(async () => {
    for (const key of ['HERALD_NATS_PORT', 'HERALD_NATS_MONITOR_PORT', 'HERALD_TELEMETRY_PORT', 'HERALD_RECEIVER_PORT', 'HERALD_MAILPIT_PORT', 'HERALD_JAEGER_PORT', 'HERALD_PROMETHEUS_PORT']) {
      env[key] = String(await freePort());
    }
    // The container runs as uid 65532: the mounted folder and its files must be readable by it.
    objects = mkdtempSync(join(tmpdir(), 'herald-compose-objects-'));
    chmodSync(objects, 0o755);
    cpSync(join(stackDir, 'objects/pod.yaml'), join(objects, 'web-1.yaml'));
    chmodSync(join(objects, 'web-1.yaml'), 0o644);
    env.HERALD_OBJECTS = objects;
    await compose(project, files, env, 'up', '--detach', '--build');
    // Ready: NATS connected, streams present, notification config loaded, the source has read the folder.
    await eventually(async () => {
      const res = await fetch(url('HERALD_TELEMETRY_PORT', '/readyz'));
      if (res.status !== 200) throw new Error(`/readyz ${res.status}: ${await res.text()}`);
    }, 180_000);
  });

  // A failed test prints what Herald logged, for whoever reads the CI output.
  beforeEach(() => {
    onTestFailed(async () => {
      const logs = await compose(project, files, env, 'logs', '--no-color', '--tail', '200', 'herald').catch((err: Error) => err.message);
      process.stdout.write(`--- herald's log (last 200 lines)\n${logs}\n`);
    });
  });

  afterAll(async () => {
    await compose(project, files, env, 'down', '--volumes', '--remove-orphans', '--timeout', '20');
    rmSync(objects, { recursive: true, force: true });
  });

  it('delivers the edited object to the webhook receiver and Mailpit, traced in Jaeger', async () => {
    expect(await received()).toEqual([]);
    writeObject('web-1', 'Running');

    const [hook] = await eventually(async () => {
      const got = await received();
      if (got.length === 0) throw new Error('no webhook yet');
      return got;
    }, 120_000);
    expect(hook).toMatchObject({ method: 'POST', path: '/webhook', body: 'Pod web-1 is ready!\n' });
    expect(hook!.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    const mail = await eventually(async () => {
      const box = await getJson<{ messages: { Subject: string; To: { Address: string }[] }[] }>('HERALD_MAILPIT_PORT', '/api/v1/messages');
      if (box.messages.length === 0) throw new Error('no email yet');
      return box.messages;
    }, 120_000);
    expect(mail.map((m) => [m.Subject, m.To.map((t) => t.Address)])).toEqual([['Pod web-1 is ready', ['dev@example.com']]]);

    // The webhook's traceparent names the trace: Jaeger has it, with the HTTP request under the sink's delivery.
    const traceId = hook!.traceparent!.split('-')[1]!;
    const spans = await eventually(async () => {
      const { data } = await getJson<{ data: { spans: JaegerSpan[] }[] }>('HERALD_JAEGER_PORT', `/api/traces/${traceId}`);
      const all = data.flatMap((t) => t.spans);
      if (!all.some((s) => s.operationName.startsWith('POST '))) throw new Error(`trace so far: ${all.map((s) => s.operationName).join(', ')}`);
      return all;
    }, 120_000);
    const deliver = spans.find((s) => s.operationName === 'deliver webhook');
    const post = spans.find((s) => s.operationName.startsWith('POST '));
    expect(deliver, spans.map((s) => s.operationName).join(', ')).toBeDefined();
    expect(post!.references.find((r) => r.refType === 'CHILD_OF')?.spanID).toBe(deliver!.spanID);
    expect(spans.some((s) => s.operationName === 'deliver email')).toBe(true);

    // Saved again unchanged: no second notification. web-2 marks the point where the source has moved on.
    writeObject('web-1', 'Running');
    writeObject('web-2', 'Running');
    await eventually(async () => {
      if (!(await received()).some((r) => r.body.includes('web-2'))) throw new Error('web-2 not delivered yet');
    }, 120_000);
    expect((await received()).map((r) => r.body)).toEqual(['Pod web-1 is ready!\n', 'Pod web-2 is ready!\n']);
  });

  it("shows Herald's metrics in Prometheus, which evaluates Herald's alerting rules, none firing", async () => {
    const query = async (promql: string) =>
      (await getJson<{ data: { result: { value: [number, string] }[] } }>('HERALD_PROMETHEUS_PORT', `/api/v1/query?query=${encodeURIComponent(promql)}`)).data.result.map((r) => Number(r.value[1]));
    // web-1 and web-2 above: a webhook and an email each.
    await eventually(async () => {
      const [sent] = await query('sum(notifications_deliveries_total{succeeded="true"})');
      if (sent === undefined || sent < 4) throw new Error(`deliveries in Prometheus: ${sent}`);
    }, 120_000);
    const rules = await eventually(async () => {
      const { data } = await getJson<{ data: { groups: { rules: { name: string; health: string; state: string; lastError?: string }[] }[] } }>('HERALD_PROMETHEUS_PORT', '/api/v1/rules');
      const all = data.groups.flatMap((g) => g.rules);
      if (all.length === 0 || all.some((r) => r.health === 'unknown')) throw new Error(`rules so far: ${JSON.stringify(all)}`);
      return all;
    }, 120_000);
    expect(rules.map((r) => r.name)).toContain('HeraldNotificationsFailed');
    expect(rules.map((r) => [r.name, r.health, r.lastError ?? '', r.state])).toEqual(rules.map((r) => [r.name, 'ok', '', 'inactive']));
  });

  it('loses nothing and sends nothing twice when NATS restarts in the middle of a burst', async () => {
    const before = (await received()).length;
    const names = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
    for (const name of names.slice(0, 5)) writeObject(name, 'Running');
    await compose(project, files, env, 'restart', 'nats');
    for (const name of names.slice(5)) writeObject(name, 'Running');

    const bodies = await eventually(async () => {
      const got = (await received()).slice(before).map((r) => r.body);
      if (got.length < names.length) throw new Error(`${got.length} of ${names.length} webhooks so far`);
      return got;
    }, 180_000);
    expect(bodies.sort()).toEqual(names.map((n) => `Pod ${n} is ready!\n`).sort());
    // Settled: once every notification's outcome is counted (webhook and email for each pod), still exactly one
    // request per pod.
    await eventually(async () => {
      const sent = await deliveriesSucceeded();
      if (sent < 2 * (2 + names.length)) throw new Error(`deliveries counted: ${sent}`);
    }, 120_000);
    expect((await received()).length).toBe(before + names.length);
  });

  it('started before NATS, Herald waits for it without restarting, then delivers', async () => {
    await compose(project, files, env, 'stop', 'herald', 'nats');
    await compose(project, files, env, 'up', '--detach', '--no-deps', 'herald');
    const herald = (await compose(project, files, env, 'ps', '-q', 'herald')).trim().split('\n').at(-1)!;
    const state = async () => (JSON.parse(await docker('inspect', herald)) as { RestartCount: number; State: { Running: boolean } }[])[0]!;
    // Alive (the process answers /healthz) but not ready: no NATS yet.
    await eventually(async () => {
      const [health, ready] = await Promise.all([fetch(url('HERALD_TELEMETRY_PORT', '/healthz')), fetch(url('HERALD_TELEMETRY_PORT', '/readyz'))]);
      if (health.status !== 200 || ready.status !== 503) throw new Error(`/healthz ${health.status}, /readyz ${ready.status}`);
    }, 120_000);
    expect(await state()).toMatchObject({ RestartCount: 0, State: { Running: true } });

    await compose(project, files, env, 'up', '--detach', '--no-deps', 'nats');
    await eventually(async () => {
      const res = await fetch(url('HERALD_TELEMETRY_PORT', '/readyz'));
      if (res.status !== 200) throw new Error(`/readyz ${res.status}: ${await res.text()}`);
    }, 120_000);
    expect(await state()).toMatchObject({ RestartCount: 0, State: { Running: true } });
    writeObject('after-nats', 'Running');
    await eventually(async () => {
      if (!(await received()).some((r) => r.body === 'Pod after-nats is ready!\n')) throw new Error('after-nats not delivered yet');
    }, 120_000);
  });

  it('down --volumes leaves no container, network or volume of the project', async () => {
    await compose(project, files, env, 'down', '--volumes', '--remove-orphans', '--timeout', '20');
    const left = await Promise.all(
      ['ps -a', 'network ls', 'volume ls'].map(async (what) => (await docker(...what.split(' '), '--filter', `label=com.docker.compose.project=${project}`, '--quiet')).trim()),
    );
    expect(left).toEqual(['', '', '']);
  });
});
