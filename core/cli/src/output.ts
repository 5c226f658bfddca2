import type { Writable } from 'node:stream';

export type OutputFormat = 'text' | 'json';

/** Where the command writes: text for people, one JSON document per line for machines. */
export interface Output {
  format: OutputFormat;
  stdout: Writable;
  stderr: Writable;
}

export function print(out: Output, text: string, json: unknown): void {
  out.stdout.write(out.format === 'json' ? `${JSON.stringify(json)}\n` : `${text}\n`);
}

export function printError(out: Output, error: { code?: string; message: string; issues?: readonly string[] }): void {
  if (out.format === 'json') {
    out.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } })}\n`);
  } else {
    out.stderr.write(`herald: ${error.message}\n`);
  }
}
