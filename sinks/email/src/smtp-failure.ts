import { DeliveryError } from '@herald/plugin-sdk';


/** What nodemailer's errors carry (its public error fields). */
interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

// Failures of the connection, not answers of the server: another attempt may well get through.
const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROTOCOL', 'EMAXLIMIT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EABORT']);

/** Replaces every secret in `text` (an AUTH password a server might echo) with `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

/**
 * Maps a failed SMTP send to a DeliveryError: a 4xx reply and a failed connection are retryable, a 5xx
 * reply (bad recipient, failed AUTH, message too large) is permanent and carries the server's reply; a TLS
 * failure (an untrusted certificate) is permanent too. The message never holds a secret.
 */
export function smtpFailure(what: string, err: unknown, secrets: readonly string[]): DeliveryError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  const reply = e.response ? scrub(e.response.trim(), secrets) : undefined;
  const during = e.command ? ` (after ${e.command.split(' ')[0]})` : '';
  // The cause keeps the code and the reply, not nodemailer's error: its fields may hold the envelope or more.
  const cause = { code: e.code, responseCode: e.responseCode };
  if (e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500) return DeliveryError.transient(`${what}: the SMTP server deferred the message${during}: ${reply ?? e.responseCode}`, { cause: cause });
  if (e.responseCode !== undefined && e.responseCode >= 500) return DeliveryError.permanent(`${what}: the SMTP server refused the message${during}: ${reply ?? e.responseCode}`, cause);
  const detail = scrub(e.message ?? String(err), secrets);
  if (e.code === 'ETLS' || /certificate/i.test(detail)) return DeliveryError.permanent(`${what}: TLS failed: ${detail}`, cause);
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.code === 'ECONFIG') return DeliveryError.permanent(`${what}: ${detail}`, cause);
  if (e.code !== undefined && RETRYABLE_CODES.has(e.code)) return DeliveryError.transient(`${what}: ${detail}`, { cause: cause });
  // Unknown: the message may not have arrived, so another attempt is the safe side.
  return DeliveryError.transient(`${what}: ${detail}`, { cause: cause });
}
