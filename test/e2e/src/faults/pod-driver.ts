import { setTimeout as delay } from 'node:timers/promises';
import { PatchStrategy, setHeaderOptions, type CoreV1Api } from '@kubernetes/client-node';
import type { EventIndex } from './event-index.ts';
import type { Random } from './random.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const PATCHES_IN_FLIGHT = 16;

/** A notification identified by what the template puts in its body: the Pod and the round marker. */
export interface Expected {
  pod: string;
  marker: string;
}

export interface Plan {
  pods: readonly string[];
  /** One notification each: a Pending → Running edge the source put on the bus. */
  expected: readonly Expected[];
  /** Transient edges (Running for a moment, Pending again before anyone waited): 0 or 1 notification. */
  optional: readonly Expected[];
}

export interface DriverOptions {
  core: CoreV1Api;
  namespace: string;
  pods: number;
  rounds: number;
  /** Share of Pods that flicker each round (Pending → Running → Pending without waiting). */
  flicker: number;
  /** Annotations every Pod is created with (the subscription). */
  annotations: Record<string, string>;
  events: EventIndex;
  random: Random;
  /** How long one step may wait for the apiserver or for the source. */
  stepTimeoutMs: number;
  /** Told each step as it is done, for the scenario's timeline. */
  note?: (what: string) => void;
}

export interface PodDriver {
  /** Share of the planned API writes done so far, 0…1. */
  readonly progress: number;
  /** Resolves once progress reached `fraction` (or the drive ended). */
  reached(fraction: number): Promise<void>;
  run(): Promise<Plan>;
}

/**
 * Drives Pods through rounds, the way a kubelet would move them: each round sets every Pod Pending (marker
 * `p<r>`), waits until the source published that state for every Pod, then sets it Running with the round's
 * marker `r<r>` in `status.message` and waits until that state is on the bus too. Both states of every
 * round therefore reach the evaluator, in order: each round is one persisting false → true edge per Pod.
 * The evaluator, the sinks and the state service are never waited for.
 */
export function podDriver(options: DriverOptions): PodDriver {
  const { core, namespace, rounds, random, events, stepTimeoutMs } = options;
  const note = options.note ?? (() => undefined);
  const pods = Array.from({ length: options.pods }, (_, i) => `pod-${String(i).padStart(5, '0')}`);
  const flickersPerRound = Math.round(options.pods * options.flicker);
  const total = pods.length + rounds * (2 * pods.length + 2 * flickersPerRound);
  let done = 0;
  let ended = false;
  const waiters: { fraction: number; resolve: () => void }[] = [];
  const advance = () => {
    done++;
    for (const w of waiters.splice(0)) {
      if (done / total >= w.fraction) w.resolve();
      else waiters.push(w);
    }
  };

  /** Retries an API write until it is accepted: the apiserver may be restarting. */
  const write = async (what: string, call: () => Promise<unknown>) => {
    const deadline = Date.now() + stepTimeoutMs;
    for (let wait = 100; ; wait = Math.min(wait * 2, 1_000)) {
      try {
        await call();
        advance();
        return;
      } catch (err) {
        if ((err as { code?: number }).code === 409 && what.startsWith('create')) {
          advance();
          return;
        }
        if (Date.now() > deadline) throw new Error(`${what} was not accepted within ${stepTimeoutMs} ms: ${String(err)}`);
        await delay(wait);
      }
    }
  };
  const all = async (names: readonly string[], each: (name: string) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: PATCHES_IN_FLIGHT }, async () => {
        while (next < names.length) await each(names[next++]!);
      }),
    );
  };
  const setStatus = (name: string, phase: string, message: string) =>
    write(`set ${name} ${phase} (${message})`, () => core.patchNamespacedPodStatus({ name, namespace, body: { status: { phase, message } } }, mergePatch));

  return {
    get progress() {
      return done / total;
    },
    reached: (fraction) =>
      new Promise((resolve) => {
        if (ended || done / total >= fraction) resolve();
        else waiters.push({ fraction, resolve });
      }),
    async run() {
      const expected: Expected[] = [];
      const optional: Expected[] = [];
      try {
        await all(pods, (name) =>
          write(`create ${name}`, () =>
            core.createNamespacedPod({ namespace, body: { metadata: { name, annotations: options.annotations }, spec: { containers: [{ name: 'app', image: 'app' }] } } }),
          ),
        );
        for (let r = 1; r <= rounds; r++) {
          const flickering = new Set<string>();
          while (flickering.size < flickersPerRound) flickering.add(random.pick(pods));
          await all(pods, (name) => setStatus(name, 'Pending', `p${r}`));
          note(`round ${r}: Pods set Pending`);
          // A Running state nobody waits for, undone at once: it may or may not reach the evaluator.
          await all([...flickering], async (name) => {
            await setStatus(name, 'Running', `t${r}`);
            await setStatus(name, 'Pending', `q${r}`);
          });
          await events.waitForMarker(
            pods.filter((p) => !flickering.has(p)),
            `p${r}`,
            stepTimeoutMs,
          );
          await events.waitForMarker([...flickering], `q${r}`, stepTimeoutMs);
          note(`round ${r}: Pending on the bus${flickering.size ? ` (${flickering.size} Pods flickered)` : ''}`);
          await all(pods, (name) => setStatus(name, 'Running', `r${r}`));
          note(`round ${r}: Pods set Running`);
          await events.waitForMarker(pods, `r${r}`, stepTimeoutMs);
          note(`round ${r}: Running on the bus`);
          for (const pod of pods) expected.push({ pod, marker: `r${r}` });
          for (const pod of flickering) optional.push({ pod, marker: `t${r}` });
        }
      } finally {
        ended = true;
        for (const w of waiters.splice(0)) w.resolve();
      }
      return { pods, expected, optional };
    },
  };
}
