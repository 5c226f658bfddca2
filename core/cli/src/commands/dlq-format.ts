import { originalPayload, type DeadLetter } from '@herald/core-bus';
import { table } from './table.ts';

/** What the original was about, read from its payload when that is a readable envelope. */
export interface LetterAbout {
  /** Resource events: ADDED, MODIFIED, DELETED. */
  action?: string;
  trigger?: string;
  /** `service:recipient`. */
  destination?: string;
  /** `Kind namespace/name`, or `Kind name` for a cluster-scoped object. */
  object?: string;
  /** Delivery results: whether the delivery succeeded. */
  succeeded?: boolean;
}

/** One line of `herald dlq list`; also its JSON form. */
export interface LetterSummary {
  id: number;
  time: string;
  channel: string;
  consumer: string | null;
  attempts: number | null;
  code: string | null;
  reason: string;
  original: { stream: string; subject: string; sequence: number; truncated: boolean } | null;
  about: LetterAbout;
}

const REASON_WIDTH = 80;

export function summarize(letter: DeadLetter): LetterSummary {
  const d = letter.data;
  return {
    id: letter.id,
    time: letter.time.toISOString(),
    channel: letter.channel,
    consumer: d?.consumer ?? null,
    attempts: d?.deliveryCount ?? null,
    code: d?.code ?? null,
    reason: d?.reason ?? `not a readable dead letter: ${letter.problem ?? 'unknown'}`,
    original: d ? { stream: d.original.stream, subject: d.original.subject, sequence: d.original.sequence, truncated: d.original.truncated === true } : null,
    about: aboutOf(letter),
  };
}

/** The original's envelope, parsed; undefined when it is not JSON (or was cut). */
export function originalJson(letter: DeadLetter): unknown {
  if (!letter.data) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(originalPayload(letter.data)));
  } catch {
    return undefined;
  }
}

export function aboutOf(letter: DeadLetter): LetterAbout {
  const envelope = originalJson(letter);
  const data = isRecord(envelope) && isRecord(envelope.data) ? envelope.data : undefined;
  if (!data) return {};
  const about: LetterAbout = {};
  if (typeof data.action === 'string') about.action = data.action;
  if (typeof data.trigger === 'string') about.trigger = data.trigger;
  if (isRecord(data.destination) && typeof data.destination.service === 'string') {
    about.destination = `${data.destination.service}:${typeof data.destination.recipient === 'string' ? data.destination.recipient : ''}`;
  }
  if (isRecord(data.ref) && typeof data.ref.name === 'string') {
    const { kind, namespace, name } = data.ref;
    about.object = `${typeof kind === 'string' ? `${kind} ` : ''}${typeof namespace === 'string' && namespace ? `${namespace}/` : ''}${name}`;
  }
  if (typeof data.succeeded === 'boolean') about.succeeded = data.succeeded;
  return about;
}

function aboutText(about: LetterAbout): string {
  const parts = [about.action, about.trigger, about.destination, about.object, about.succeeded === undefined ? undefined : about.succeeded ? 'succeeded' : 'failed'];
  return parts.filter((p) => p !== undefined && p !== '').join(' ') || '-';
}

/** One line, at most `width` characters. */
export function shorten(text: string, width = REASON_WIDTH): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

/** Seconds are enough to tell letters apart in a table. */
function shortTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

export function listText(summaries: readonly LetterSummary[]): string {
  const rows = summaries.map((s) => [
    String(s.id),
    shortTime(s.time),
    s.channel,
    s.consumer ?? '-',
    s.attempts === null ? '-' : String(s.attempts),
    s.code ?? '-',
    aboutText(s.about),
    shorten(s.reason),
  ]);
  return table([['ID', 'TIME', 'CHANNEL', 'CONSUMER', 'ATTEMPTS', 'CODE', 'ABOUT', 'REASON'], ...rows]).trimEnd();
}

/** Everything `herald dlq show -o json` prints: the summary, the original's headers and its payload. */
export function letterDetails(letter: DeadLetter) {
  const d = letter.data;
  const json = originalJson(letter);
  return {
    ...summarize(letter),
    letterId: letter.letterId ?? null,
    subject: letter.subject,
    original: d
      ? {
          stream: d.original.stream,
          subject: d.original.subject,
          sequence: d.original.sequence,
          truncated: d.original.truncated === true,
          headers: d.original.headers,
          encoding: d.original.encoding,
          bytes: originalPayload(d).length,
          payload: d.original.payload,
          ...(json === undefined ? {} : { json }),
        }
      : null,
  };
}

export function showText(letter: DeadLetter): string {
  const s = letterDetails(letter);
  const lines = [`dead letter ${s.id}${s.letterId ? ` (${s.letterId})` : ''}`];
  const field = (name: string, value: string) => lines.push(`  ${`${name}:`.padEnd(11)}${value}`);
  field('time', s.time);
  field('channel', s.channel);
  field('consumer', s.consumer ?? '-');
  field('attempts', s.attempts === null ? '-' : String(s.attempts));
  field('code', s.code ?? '-');
  field('reason', s.reason);
  const about = s.about;
  if (about.action) field('action', about.action);
  if (about.trigger) field('trigger', about.trigger);
  if (about.destination) field('recipient', about.destination);
  if (about.object) field('object', about.object);
  if (about.succeeded !== undefined) field('succeeded', String(about.succeeded));
  const o = s.original;
  if (!o) return lines.join('\n');
  // Sequence 0: its publisher could not publish it (the reason says why) and sent only what it was about.
  field('original', o.sequence === 0 ? `never stored in ${o.stream} (subject ${o.subject})` : `${o.stream} sequence ${o.sequence}, subject ${o.subject}`);
  const headers = Object.entries(o.headers);
  if (headers.length === 0) field('headers', '(none)');
  else lines.push('  headers:', ...headers.map(([k, v]) => `    ${k}: ${v}`));
  const whole = o.sequence === 0 ? 'the whole original was never stored' : `the whole original stays in ${o.stream} at sequence ${o.sequence} until that stream's max age`;
  const cut = o.truncated ? `, TRUNCATED to fit the dead-letter stream (${whole})` : '';
  lines.push(`payload (${o.encoding}, ${o.bytes} bytes${cut}):`);
  lines.push(o.json !== undefined ? JSON.stringify(o.json, null, 2) : o.payload);
  return lines.join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
