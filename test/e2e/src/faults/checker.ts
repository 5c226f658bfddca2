import type { DeadLetter } from './dead-letters.ts';
import type { RecordedRequest } from './fault-receiver.ts';
import type { Plan } from './pod-driver.ts';

/** A message the test put on the bus that no handler may accept. */
export interface Poison {
  subject: string;
  payload: string;
}

export interface Verdict {
  /** Expected notifications (persisting edges). */
  expected: number;
  /** Expected notifications answered 200 at least once. */
  received: number;
  /** Answers 200 beyond the first, for expected and optional notifications: resends, each with a key already seen. */
  duplicates: number;
  /** Expected notifications never delivered but in the dead-letter stream with a reason. */
  deadLettered: number;
  /** Expected notifications neither delivered nor dead-lettered. */
  lost: number;
  /** Notifications delivered under two different Idempotency-Keys: sent twice as far as a receiver can tell. */
  doubleSends: number;
  /** Idempotency-Keys used for two different notifications: a deduplicating receiver would drop one. */
  keyConflicts: number;
  /** Delivered notifications that match no expected or optional one. */
  unexpected: number;
  optional: { planned: number; received: number };
  /** Poison messages not found in the dead-letter stream with a reason. */
  poisonMissing: number;
  requests: number;
  /** Human-readable findings, for the failure message. */
  details: string[];
}

const idOf = (pod: string, marker: string) => `${pod}/${marker}`;

/**
 * Judges a receiver's log against the plan. A notification is identified by its body (`pod=<name>
 * round=<marker>`); it is received when some request carrying it was answered 200. Requests answered 500 or
 * 429 were refused, so they count for nothing; a request left hanging may have been acted on, so its key
 * counts when telling resends from double sends.
 */
export function check(plan: Plan, requests: readonly RecordedRequest[], deadLetters: readonly DeadLetter[], poison: readonly Poison[]): Verdict {
  const details: string[] = [];
  const byId = new Map<string, RecordedRequest[]>();
  const keyOwner = new Map<string, string>();
  let unexpected = 0;
  let keyConflicts = 0;
  const planned = new Set([...plan.expected, ...plan.optional].map((e) => idOf(e.pod, e.marker)));
  for (const r of requests) {
    const body = /^pod=(\S+) round=(\w+)$/.exec(r.body.trim());
    const id = body ? idOf(body[1]!, body[2]!) : `?${r.body}`;
    if (r.idempotencyKey === undefined) details.push(`request #${r.seq} for ${id} has no Idempotency-Key`);
    else {
      const owner = keyOwner.get(r.idempotencyKey);
      if (owner === undefined) keyOwner.set(r.idempotencyKey, id);
      else if (owner !== id) {
        keyConflicts++;
        details.push(`Idempotency-Key ${r.idempotencyKey} is used for ${owner} and for ${id}`);
      }
    }
    if (!planned.has(id)) {
      if (r.answer === 200) {
        unexpected++;
        details.push(`unexpected notification delivered: ${r.body.trim()}`);
      }
      continue;
    }
    let list = byId.get(id);
    if (!list) byId.set(id, (list = []));
    list.push(r);
  }

  let duplicates = 0;
  let doubleSends = 0;
  const judge = (id: string) => {
    const list = byId.get(id) ?? [];
    const delivered = list.filter((r) => r.answer === 200);
    if (delivered.length > 1) duplicates += delivered.length - 1;
    const keys = new Set(list.filter((r) => r.answer === 200 || r.answer === 'hang').map((r) => r.idempotencyKey));
    if (keys.size > 1) {
      doubleSends++;
      details.push(`${id} was delivered under ${keys.size} Idempotency-Keys: ${list.map((r) => `#${r.seq} ${r.answer} ${r.idempotencyKey}`).join(', ')}`);
    }
    return delivered.length > 0;
  };

  let received = 0;
  let deadLettered = 0;
  let lost = 0;
  const lettersAbout = new Map<string, DeadLetter[]>();
  for (const letter of deadLetters) {
    if (!letter.about) continue;
    const id = idOf(letter.about.pod, letter.about.marker);
    lettersAbout.set(id, [...(lettersAbout.get(id) ?? []), letter]);
  }
  for (const e of plan.expected) {
    const id = idOf(e.pod, e.marker);
    if (judge(id)) received++;
    else if ((lettersAbout.get(id) ?? []).some((l) => l.reason.length > 0)) deadLettered++;
    else {
      lost++;
      if (lost <= 20) details.push(`lost: ${id} (requests: ${(byId.get(id) ?? []).map((r) => `#${r.seq} ${r.answer}`).join(', ') || 'none'})`);
    }
  }
  let optionalReceived = 0;
  for (const e of plan.optional) if (judge(idOf(e.pod, e.marker))) optionalReceived++;

  let poisonMissing = 0;
  for (const p of poison) {
    const letter = deadLetters.find((l) => l.subject === p.subject && l.payload === p.payload);
    if (!letter || letter.reason.length === 0) {
      poisonMissing++;
      details.push(`poison on ${p.subject} is not in the dead-letter stream with a reason: ${p.payload.slice(0, 80)}`);
    }
  }

  return {
    expected: plan.expected.length,
    received,
    duplicates,
    deadLettered,
    lost,
    doubleSends,
    keyConflicts,
    unexpected,
    optional: { planned: plan.optional.length, received: optionalReceived },
    poisonMissing,
    requests: requests.length,
    details,
  };
}

/** True when the verdict keeps Herald's promise: nothing lost, nothing sent twice. */
export function kept(v: Verdict): boolean {
  return v.lost === 0 && v.doubleSends === 0 && v.keyConflicts === 0 && v.unexpected === 0 && v.poisonMissing === 0;
}
