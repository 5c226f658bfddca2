import { notifiedAnnotationEntries } from '@herald/core-dedup';
import { Evaluator, type NotificationConfig } from '@herald/core-evaluator';
import { variableName } from '@herald/core-notification-config';
import type { ObjectRef, ResourceEventData } from '@herald/plugin-sdk';
import { destinationName } from './route-test-report.ts';

/** A recorded event and its place in the events stream. */
export interface ReplayedEvent {
  seq: number;
  time: Date;
  data: ResourceEventData;
}

/** A notification a config would have sent for an event. */
export interface SimulatedSend {
  seq: number;
  time: string;
  object: string;
  trigger: string;
  destination: string;
  stateKey: string;
}

const describe = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/**
 * What one config would have sent for these events, in order, as the evaluator decides: a triggered
 * condition sends unless its key is held; a false one clears its key (not oncePer). Keys are held in memory
 * only: nothing is claimed or sent. An object starts from what its `notified` annotation says in its first
 * event of the window (what adopting it would bring); the claims made before the window are not known, and
 * are the same for every config compared.
 */
export function simulateSends(config: NotificationConfig, events: readonly ReplayedEvent[], options: { variables: Readonly<Record<string, string>>; annotationPrefix: string }): SimulatedSend[] {
  const held = new Map<string, Set<string>>();
  const evaluators = new Map<string, Evaluator>();
  const sends: SimulatedSend[] = [];
  for (const { seq, time, data } of events) {
    const varName = variableName(data.ref, options.variables);
    let evaluator = evaluators.get(varName);
    if (!evaluator) evaluators.set(varName, (evaluator = new Evaluator(config, { varName, annotationPrefix: options.annotationPrefix })));
    let keys = held.get(data.ref.uid);
    if (!keys) held.set(data.ref.uid, (keys = new Set(notifiedAnnotationEntries(data.object, options.annotationPrefix).keys())));
    for (const d of evaluator.plan(data.object, { herald: { action: data.action } }).decisions) {
      if (d.triggered) {
        if (keys.has(d.stateKey)) continue;
        keys.add(d.stateKey);
        sends.push({ seq, time: time.toISOString(), object: describe(data.ref), trigger: d.trigger, destination: destinationName(d.destination), stateKey: d.stateKey });
      } else if (!d.oncePer) {
        keys.delete(d.stateKey);
      }
    }
  }
  return sends;
}

/** Sends of one trigger to one destination that only one of the configs makes. */
export interface ReplayChange {
  trigger: string;
  destination: string;
  count: number;
  objects: string[];
  /** Sequences of the events in the events stream. */
  events: number[];
}

export interface ReplayDiff {
  /** Would be sent by the candidate, and was not by the current config. */
  added: ReplayChange[];
  /** Was sent by the current config, and would not be by the candidate. */
  removed: ReplayChange[];
}

/** Compares sends event by event, per trigger and destination (a changed condition of a trigger that still sends the same is no change). */
export function diffSends(current: readonly SimulatedSend[], candidate: readonly SimulatedSend[]): ReplayDiff {
  const id = (s: SimulatedSend) => `${s.seq}\u0000${s.trigger}\u0000${s.destination}\u0000${s.object}`;
  const only = (a: readonly SimulatedSend[], b: readonly SimulatedSend[]) => {
    const left = new Map<string, number>();
    for (const s of b) left.set(id(s), (left.get(id(s)) ?? 0) + 1);
    const out: SimulatedSend[] = [];
    for (const s of a) {
      const n = left.get(id(s)) ?? 0;
      if (n > 0) left.set(id(s), n - 1);
      else out.push(s);
    }
    return out;
  };
  return { added: group(only(candidate, current)), removed: group(only(current, candidate)) };
}

function group(sends: readonly SimulatedSend[]): ReplayChange[] {
  const byKey = new Map<string, ReplayChange>();
  for (const s of sends) {
    const key = `${s.trigger}\u0000${s.destination}`;
    const change = byKey.get(key) ?? { trigger: s.trigger, destination: s.destination, count: 0, objects: [], events: [] };
    change.count++;
    if (!change.objects.includes(s.object)) change.objects.push(s.object);
    change.events.push(s.seq);
    byKey.set(key, change);
  }
  return [...byKey.values()].sort((a, b) => a.trigger.localeCompare(b.trigger) || a.destination.localeCompare(b.destination));
}
