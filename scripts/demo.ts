// `scripts/dev demo`: a real nats-server, Herald running all roles with two sample plugins, and a message
// travelling over the bus: the ticker source publishes resource events to JetStream, the tap plugin
// consumes them through a durable consumer and records each with its trace context.
// (The reference scenario, a Pod becoming Running and a webhook receiving its text, replaces this demo
// once the Kubernetes source, the evaluator and the webhook sink land.)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNats } from '@herald/test-harness';

const ticks = 5;
const dir = mkdtempSync(join(tmpdir(), 'herald-demo-'));
const tapFile = join(dir, 'tap.jsonl');
const logFile = join(dir, 'herald.log');
const say = (line: string) => process.stdout.write(`${line}\n`);

const nats = await startNats();
say(`nats-server with JetStream on ${nats.url} (store ${nats.storeDir})`);
const configPath = join(dir, 'herald.yaml');
writeFileSync(
  configPath,
  [
    'nats:',
    `  servers: [${nats.url}]`,
    'plugins:',
    '  - name: "@herald/plugin-testing/ticker"',
    `    options: { intervalMs: 1000, count: ${ticks}, namespace: demo, name: heartbeat }`,
    '  - name: "@herald/plugin-testing/tap"',
    `    options: { file: ${tapFile} }`,
    '',
  ].join('\n'),
);
say(`herald run -c ${configPath}   (logs: ${logFile})\n`);
const herald = spawn(process.execPath, ['core/cli/src/main.ts', 'run', '-c', configPath], { stdio: ['ignore', 'inherit', 'pipe'] });
herald.stderr.pipe(createWriteStream(logFile));

let shown = 0;
const deadline = Date.now() + 60_000;
while (shown < ticks && Date.now() < deadline && herald.exitCode === null) {
  const lines = existsSync(tapFile) ? readFileSync(tapFile, 'utf8').trim().split('\n').filter(Boolean) : [];
  for (const line of lines.slice(shown)) {
    const m = JSON.parse(line) as { subject: string; msgId: string; traceparent: string; data: { object: { data: { seq: number } } } };
    say(`tick ${m.data.object.data.seq} travelled over ${m.subject}`);
    say(`    Nats-Msg-Id  ${m.msgId}`);
    say(`    traceparent  ${m.traceparent}`);
  }
  shown = lines.length;
  await new Promise((r) => setTimeout(r, 200));
}

herald.kill('SIGTERM');
await new Promise((r) => herald.once('exit', r));
await nats.stop();
if (shown < ticks) {
  say(`\nonly ${shown} of ${ticks} ticks arrived; see ${logFile}`);
  process.exit(1);
}
say(`\nall ${ticks} events went source → JetStream (HERALD_EVENTS) → durable consumer → tap, each with its trace context.`);
