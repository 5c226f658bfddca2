import { dirname, resolve } from 'node:path';
import { pino } from 'pino';
import { ConfigError, Kernel, loadEngineConfig, type Role, resolveEngineConfigPath, startIdleMemoryRelease, startProcessHeartbeat, type IdleMemoryRelease } from '@herald/core-kernel';
import type { ReadinessCheck, Telemetry, TelemetryServer } from '@herald/core-telemetry';
import { isHeraldError, type Logger } from '@herald/plugin-sdk';
import { ExitCode } from '../exit-codes.ts';
import { print, printError, type Output } from '../output.ts';
import { versionInfo } from '../version.ts';
import { CliErrorCodes } from '../errors.ts';
import { readinessChecks, readinessVerdict } from './readiness-checks.ts';

export interface RunOptions {
  config?: string;
  role?: Role[];
}

/** Resolves when the process is asked to stop (SIGINT, SIGTERM); `dispose` gives the signals back. */
function stopRequested(): { stop: Promise<NodeJS.Signals>; dispose: () => void } {
  let handler: (signal: NodeJS.Signals) => void = () => undefined;
  const dispose = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  const stop = new Promise<NodeJS.Signals>((resolveStop) => {
    handler = (signal) => {
      dispose();
      resolveStop(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
  return { stop, dispose };
}

/** `herald run`: boot the kernel with the configured plugins and run until SIGINT/SIGTERM. */
export async function runCommand(options: RunOptions, out: Output): Promise<ExitCode> {
  const path = resolveEngineConfigPath({ explicit: options.config });
  let config;
  try {
    config = loadEngineConfig(path === undefined ? {} : { path });
  } catch (err) {
    if (err instanceof ConfigError) {
      printError(out, { code: err.code, message: err.message, issues: err.issues });
      return ExitCode.failure;
    }
    throw err;
  }
  // The OpenTelemetry SDK is loaded only by the command that runs Herald: the other commands start faster.
  const { createLogger, startTelemetry, startTelemetryServer } = await import('./run-telemetry.ts');
  // Logs are JSON lines on stderr; stdout carries the command's own output. Written asynchronously: a
  // synchronous write to a full pipe (a slow log collector) blocks the whole process 100 ms at a time, every
  // role's work with it (seen in a burst profile under the evaluator's per-notification line). pino writes
  // what is still buffered synchronously when the process exits, so nothing is lost on exit.
  const logger = createLogger('herald', { level: config.log.level, destination: pino.destination({ dest: 2, sync: false }) });
  const { stop, dispose } = stopRequested();
  // Losing NATS or a plugin misbehaving must never end the process: log it and keep serving.
  const onRejection = (err: unknown) => logger.error({ err }, 'unhandled rejection');
  process.on('unhandledRejection', onRejection);
  const roles = options.role ?? config.roles;
  const telemetry = startTelemetry({
    serviceName: config.telemetry.serviceName,
    serviceVersion: versionInfo().version,
    roles,
    prometheus: config.telemetry.port !== undefined,
    warn: (fields, message) => logger.warn(fields, message),
  });
  // Probes answer from the start: alive at once, ready once the kernel is up and its checks pass.
  let checks: readonly ReadinessCheck[] = [];
  let server: TelemetryServer | undefined;
  if (config.telemetry.port !== undefined) {
    try {
      server = await startTelemetryServer({ port: config.telemetry.port, host: config.telemetry.host, metricsHandler: telemetry.metricsHandler, readiness: () => checks });
      logger.info({ port: server.port, host: config.telemetry.host }, 'serving /metrics, /healthz and /readyz');
    } catch (err) {
      dispose();
      process.off('unhandledRejection', onRejection);
      await telemetry.shutdown();
      printError(out, { code: CliErrorCodes.unexpected, message: `cannot serve /metrics, /healthz and /readyz on ${config.telemetry.host}:${config.telemetry.port}: ${(err as Error).message}` });
      return ExitCode.failure;
    }
  }
  const stopTelemetry = async () => {
    await server?.close();
    await telemetry.shutdown();
  };
  let kernel: Kernel;
  try {
    const booting = Kernel.boot({ config, baseDir: path ? dirname(resolve(path)) : process.cwd(), logger, telemetry, roles });
    // A stop request while booting (e.g. still waiting for NATS) is honoured at once.
    const first = await Promise.race([booting, stop.then((signal) => ({ signal }))]);
    if (!(first instanceof Kernel)) {
      logger.info(first, 'stop requested before Herald finished starting');
      print(out, 'herald stopped before it finished starting', { event: 'stopped', plugins: [] });
      await stopTelemetry();
      process.exit(ExitCode.ok);
    }
    kernel = first;
  } catch (err) {
    const error = err as Error;
    printError(out, { code: isHeraldError(error) ? error.code : CliErrorCodes.unexpected, message: error.message });
    dispose();
    await stopTelemetry();
    process.off('unhandledRejection', onRejection);
    return ExitCode.failure;
  }
  checks = readinessChecks(kernel);
  // What runs where, for `herald status`: announced on the bus while the process runs.
  const heartbeat = startProcessHeartbeat({ kernel, version: versionInfo().version, ready: () => readinessVerdict(checks), logger: logger.child({ component: 'heartbeat' }) });
  const memory = config.memory.releaseWhenIdle ? idleMemoryRelease(config.memory, telemetry, logger) : undefined;
  const plugins = kernel.status();
  print(
    out,
    `herald running: roles ${roles.join(', ')}; plugins ${plugins.map((p) => `${p.id} (${p.state})`).join(', ') || 'none'}${server ? `; telemetry on port ${server.port}` : ''}`,
    { event: 'running', roles, plugins, ...(server ? { telemetryPort: server.port } : {}) },
  );
  const signal = await stop;
  logger.info({ signal }, 'stopping');
  const deadline = setTimeout(() => {
    logger.error({ timeoutMs: config.shutdownTimeout }, 'shutdown took too long; exiting');
    process.exit(ExitCode.failure);
  }, config.shutdownTimeout);
  deadline.unref();
  checks = [];
  memory?.stop();
  await heartbeat.stop();
  await kernel.stop();
  await stopTelemetry();
  clearTimeout(deadline);
  process.off('unhandledRejection', onRejection);
  print(out, 'herald stopped', { event: 'stopped', plugins: kernel.status() });
  return ExitCode.ok;
}

/** Starts handing V8's heap back once the process is quiet; says once why not when node cannot. */
function idleMemoryRelease(memory: { quietFor: number; minGrowth: number }, telemetry: Pick<Telemetry, 'meter'>, logger: Logger): IdleMemoryRelease {
  const meter = telemetry.meter('herald.core');
  const release = startIdleMemoryRelease({
    quietForMs: memory.quietFor,
    minGrowthBytes: memory.minGrowth,
    logger: logger.child({ component: 'memory' }),
    releases: {
      count: meter.createCounter('herald.process.memory.releases', { description: 'Times the heap V8 kept was handed back to the system while the process was quiet' }),
      bytes: meter.createCounter('herald.process.memory.released.bytes', { unit: 'By', description: 'Resident memory handed back to the system while the process was quiet' }),
    },
  });
  if (!release.active) logger.info('the heap is not handed back when idle: node runs without --expose-gc (the image sets it; memory.releaseWhenIdle)');
  return release;
}
