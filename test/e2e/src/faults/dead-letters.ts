import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** A message of the dead-letter stream, with its original decoded where it is readable. */
export interface DeadLetter {
  reason: string;
  code: string;
  consumer: string;
  /** Subject and payload of the message that was dead-lettered. */
  subject: string;
  payload: string;
  /** The Pod and round marker the original was about, when it was a resource event or a notification. */
  about: { pod: string; marker: string } | undefined;
}

/** Reads the whole dead-letter stream of one Herald installation. */
export async function readDeadLetters(servers: string | string[], stream: string): Promise<DeadLetter[]> {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    const letters: DeadLetter[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (!m) continue;
      const letter = m.json<{ data: { reason: string; code: string; consumer: string; original: { subject: string; payload: string; encoding: string } } }>().data;
      const payload = letter.original.encoding === 'base64' ? Buffer.from(letter.original.payload, 'base64').toString('utf8') : letter.original.payload;
      letters.push({ reason: letter.reason, code: letter.code, consumer: letter.consumer, subject: letter.original.subject, payload, about: aboutOf(payload) });
    }
    return letters;
  } finally {
    await nc.close();
  }
}

/** The Pod and marker a resource event (its object's status.message) or a notification (its body) carries. */
function aboutOf(payload: string): DeadLetter['about'] {
  const body = /pod=(\S+) round=(\w+)/.exec(payload);
  if (body) return { pod: body[1]!, marker: body[2]! };
  try {
    const data = (JSON.parse(payload) as { data?: { ref?: { name?: string }; object?: { status?: { message?: string } } } }).data;
    const pod = data?.ref?.name;
    const marker = data?.object?.status?.message;
    return typeof pod === 'string' && typeof marker === 'string' ? { pod, marker } : undefined;
  } catch {
    return undefined;
  }
}
