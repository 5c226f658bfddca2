import { stringify as toYaml } from 'yaml';
import { Dedup, notifiedAnnotationEntries, type NotifiedEntry } from '@herald/core-dedup';
import type { EngineConfig } from '@herald/core-kernel';
import { NotificationConfigErrorCodes } from '@herald/core-notification-config';
import { ExitCode } from '../exit-codes.ts';
import { printError, printFailure } from '../output.ts';
import { formatIssue } from './notification-inputs.ts';
import { loadRouteTestInputs } from './route-test-inputs.ts';
import { checkExpected, objectRef, routeReport, routeReportText, type DedupSource } from './route-test-report.ts';
import type { Io, RouteTestFlags } from './route-test-command.ts';
import { engineConfigFor, inspectBus } from './status-bus.ts';

/** Bound on reaching NATS for the dedup state: without it the command still answers, from the annotation. */
const NATS_TIMEOUT_MS = 2_000;

/** What `herald route test` does, imported when it runs (it loads the evaluator). */
export async function routeTest(resource: string, opts: RouteTestFlags, io: Io): Promise<ExitCode> {
  const out = { ...io, format: opts.output };
  try {
    const engine = engineConfigFor(opts.config).config;
    const inputs = await loadRouteTestInputs(resource, opts, engine);
    const { object, varName } = inputs;
    // Herald's config, and with self-service the object's namespace's: each must load.
    const loaded = [{ origin: inputs.configOrigin, config: inputs.config, issues: inputs.issues }, ...(inputs.namespaceConfig ? [inputs.namespaceConfig] : [])];
    const broken = loaded.find((c) => !c.config);
    if (broken) {
      const issues = broken.issues.filter((i) => i.severity === 'error').map(formatIssue);
      printError(out, { code: NotificationConfigErrorCodes.invalid, message: `${broken.origin} has errors; fix them first (herald config validate)`, issues });
      if (out.format === 'text') for (const issue of issues) io.stderr.write(`${issue}\n`);
      return ExitCode.failure;
    }
    const configs = loaded.flatMap((c) => (c.config ? [{ config: c.config, namespace: 'namespace' in c ? c.namespace : undefined }] : []));
    const annotationPrefix = engine.notifications.annotationPrefix;
    const report = await withDedupState(engine, object, opts.bus, (source, lookup) => routeReport(configs, object, { varName, annotationPrefix }, { source, lookup }));
    if (opts.expect) report.expect = checkExpected(report, opts.expect);
    if (opts.output === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (opts.output === 'yaml') io.stdout.write(toYaml(report));
    else io.stdout.write(routeReportText(report));
    return report.expect && !report.expect.ok ? ExitCode.failure : ExitCode.ok;
  } catch (err) {
    return printFailure(out, err);
  }
}

/**
 * Runs `fn` with a lookup of the object's dedup state: its claims in the state bucket (through core/dedup,
 * which owns them) when NATS answers and the object has a uid, else its `notified` annotation.
 */
async function withDedupState<T>(
  engine: EngineConfig,
  object: Record<string, unknown>,
  useBus: boolean,
  fn: (source: DedupSource, lookup: (keys: string[]) => Promise<Map<string, NotifiedEntry>>) => Promise<T>,
): Promise<T> {
  const prefix = engine.notifications.annotationPrefix;
  const fromAnnotation = (detail: string) =>
    fn({ from: 'annotation', detail }, async (keys) => new Map([...notifiedAnnotationEntries(object, prefix)].filter(([k]) => keys.includes(k))));
  if (!useBus) return fromAnnotation('--no-bus');
  const ref = objectRef(object);
  if (!ref) return fromAnnotation('the object has no metadata.uid, so it has no claims');
  let inspector;
  try {
    inspector = await inspectBus(engine, NATS_TIMEOUT_MS, 'route-test');
  } catch (err) {
    return fromAnnotation(`NATS not reachable: ${(err as Error).message}`);
  }
  try {
    let kv;
    try {
      kv = await inspector.state();
    } catch (err) {
      return await fromAnnotation(`no state bucket ${inspector.topology.stateBucket} at ${inspector.server.url}: ${(err as Error).message}`);
    }
    const dedup = new Dedup({ kv, annotationPrefix: prefix });
    return await fn({ from: 'bucket', detail: `${inspector.topology.stateBucket} at ${inspector.server.url}` }, (keys) => dedup.inspect(ref, object, keys));
  } finally {
    await inspector.close();
  }
}
