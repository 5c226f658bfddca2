import type { ReplayChange, ReplayDiff } from './replay-simulation.ts';
import { table } from './table.ts';

export interface ReplayReport extends ReplayDiff {
  window: { from: string; to: string };
  stream: { name: string; maxAgeMs: number; oldest: string | null };
  /** Events of the window are gone: it reaches further back than the stream keeps, or older events were removed. */
  truncated: boolean;
  events: number;
  unreadable: { seq: number; problem: string }[];
  sends: { current: number; candidate: number };
}

const changes = (title: string, list: readonly ReplayChange[]) =>
  list.length
    ? `\n${title}:\n${table([['TRIGGER', 'DESTINATION', 'COUNT', 'OBJECTS'], ...list.map((c) => [c.trigger, c.destination, String(c.count), c.objects.join(', ')])])}`
    : `\n${title}: nothing\n`;

export function replayText(r: ReplayReport): string {
  const parts = [`replayed ${r.events} event(s) of ${r.stream.name} from ${r.window.from} to ${r.window.to}\n`];
  if (r.truncated) {
    parts.push(`warning: events of the window are gone (oldest kept: ${r.stream.oldest ?? 'none'}; the stream keeps ${Math.round(r.stream.maxAgeMs / 3_600_000)}h): the replay is partial\n`);
  }
  for (const u of r.unreadable) parts.push(`warning: event ${u.seq} skipped: ${u.problem}\n`);
  parts.push(`current config: ${r.sends.current} notification(s); candidate: ${r.sends.candidate}\n`);
  parts.push(changes('Would be sent, and was not (candidate only)', r.added));
  parts.push(changes('Was sent, and would not be (current only)', r.removed));
  return parts.join('');
}
