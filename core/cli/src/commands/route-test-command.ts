import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ExitCode } from '../exit-codes.ts';
import type { Output } from '../output.ts';

export type Io = Omit<Output, 'format'>;

export interface RouteTestFlags {
  configMap?: string;
  secret?: string;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  var?: string;
  config?: string;
  expect?: string[];
  bus: boolean;
  output: 'text' | 'json' | 'yaml';
}

function parseExpected(value: string, previous: string[] | undefined): string[] {
  const list = value.split(',').map((d) => d.trim()).filter((d) => d !== '');
  for (const d of list) if (d.indexOf(':') <= 0) throw new InvalidArgumentError(`"${d}" is not <service>:<recipient> (a webhook without recipient: "webhook:")`);
  return [...(previous ?? []), ...list];
}

/** `herald route test <resource>`: who this object would notify now, and why. */
export function registerRouteTestCommand(program: Command, io: Io, setExit: (code: ExitCode) => void): void {
  const route = program.command('route').description('who an object notifies, and why');
  route
    .command('test <resource>')
    .alias('explain')
    .description('every subscription of an object (annotations and global), its triggers\' conditions, the dedup state and the destinations it would notify now')
    .option('--config-map <file>', 'notification ConfigMap manifest (YAML; - for stdin); default: the ConfigMap herald.yaml names, read from the cluster')
    .option('--secret <file>', 'notification Secret manifest (:empty for none); default: read from the cluster with the ConfigMap')
    .option('-n, --namespace <namespace>', "the object's namespace in the cluster (default: the kubeconfig context's)")
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, else in-cluster, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--var <name>', "the object's variable name in expressions (default: the engine config's notifications.variables, else its lower-case kind)")
    .option('-c, --config <file>', 'engine config: nats (the state bucket), annotationPrefix, variables (default: $HERALD_CONFIG, else ./herald.yaml if present)')
    .option('--expect <destinations>', 'comma-separated service:recipient that must be exactly the ones notified; exit 1 otherwise (repeatable; "" for nobody)', parseExpected)
    .option('--no-bus', 'do not read the state bucket: dedup state from the object\'s notified annotation only')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (resource: string, opts: RouteTestFlags) => setExit(await (await import('./route-test-run.ts')).routeTest(resource, opts, io)));
}

