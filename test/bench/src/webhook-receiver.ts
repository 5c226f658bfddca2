/**
 * The end-to-end benchmark's webhook receiver, in a process of its own (forked with an IPC channel by
 * e2e-bench.ts) so that the benchmark's own work — thousands of Pod patches — never delays an answer: an engine
 * waiting on a slow receiver would be measured slower than it is (Herald's webhook sink gives up after 10 s).
 * Each body is "Pod <name> is ready!"; the arrival is stamped here, on the wall clock in ms with sub-ms precision
 * (performance.timeOrigin + now, comparable across processes), and sent to the parent in batches.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

let batch: [string, number][] = [];
const flush = () => {
  if (batch.length === 0) return;
  process.send!({ arrivals: batch });
  batch = [];
};
setInterval(flush, 5).unref();

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    res.writeHead(200).end('ok');
    batch.push([/^Pod (\S+) is ready!/.exec(body.trim())?.[1] ?? body.trim(), at]);
  });
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
