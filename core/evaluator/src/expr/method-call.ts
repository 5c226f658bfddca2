import { GoDuration } from '../host/go-duration.ts';
import { GoTime } from '../host/go-time.ts';
import { createHostFunctions, isHostNamespace } from '../host/host-functions.ts';
import { hostRepo } from '../host/repo-functions.ts';
import { typeName } from '../host/type-name.ts';
import { runtimeError } from './runtime-error.ts';
import { CHAIN_ENDED } from './value-access.ts';

/** The only methods an expression may call: Go's, on times and durations. */
const TIME_METHODS: ReadonlySet<string> = new Set([
  'Sub', 'Add', 'Before', 'After', 'Equal', 'IsZero', 'Unix', 'UnixMilli', 'UTC', 'Format', 'String',
  'Year', 'Month', 'Day', 'Hour', 'Minute', 'Second', 'Weekday',
]);
const DURATION_METHODS: ReadonlySet<string> = new Set([
  'Hours', 'Minutes', 'Seconds', 'Milliseconds', 'Microseconds', 'Nanoseconds', 'String', 'Round', 'Truncate', 'Abs',
]);

function functionNames(namespace: object): string[] {
  return Object.entries(namespace).filter(([, v]) => typeof v === 'function').map(([k]) => k);
}

const host = createHostFunctions();

/** Every name that may follow `.` in a call; any other method name is a compile error. */
export const CALLABLE_NAMES: ReadonlySet<string> = new Set([
  ...TIME_METHODS,
  ...DURATION_METHODS,
  ...functionNames(host.time),
  ...functionNames(host.strings),
  ...functionNames(hostRepo),
]);

type Method = (this: unknown, ...args: unknown[]) => unknown;

function lookup(receiver: unknown, name: string): Method | undefined {
  if (receiver instanceof GoTime && TIME_METHODS.has(name)) return Reflect.get(GoTime.prototype, name) as Method;
  if (receiver instanceof GoDuration && DURATION_METHODS.has(name)) return Reflect.get(GoDuration.prototype, name) as Method;
  if (isHostNamespace(receiver) && Object.hasOwn(receiver, name)) {
    const member = receiver[name];
    if (typeof member === 'function') return member as Method;
  }
  return undefined;
}

/**
 * `receiver.name(args)`: a method of a time or duration, or a function of the `time`/`strings` objects;
 * nothing else is callable. A nil receiver is an error unless reached through `?.`.
 */
export function callMethod(receiver: unknown, name: unknown, optional: unknown, ...args: unknown[]): unknown {
  const method = String(name);
  if (receiver === CHAIN_ENDED) return CHAIN_ENDED;
  if (receiver === null || receiver === undefined) {
    if (optional === true) return CHAIN_ENDED;
    throw runtimeError(`cannot call ${method}() on nil`);
  }
  const fn = lookup(receiver, method);
  if (fn === undefined) throw runtimeError(`cannot call ${method}() on ${typeName(receiver)}`);
  if (args.length !== fn.length) throw runtimeError(`${method}() takes ${fn.length} argument${fn.length === 1 ? '' : 's'}, got ${args.length}`);
  return fn.apply(receiver, args);
}

export const defaultHost = host;
