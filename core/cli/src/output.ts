import type { Writable } from 'node:stream';
import { stringify as toYaml } from 'yaml';
import { ConfigError } from '@herald/core-kernel';
import { isHeraldError } from '@herald/plugin-sdk';
import { ExitCode } from './exit-codes.ts';

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

export interface CliError {
  code?: string | undefined;
  message: string;
  issues?: readonly unknown[] | undefined;
}

/**
 * An error as the output format asks: for `-o json`/`yaml` a document on stdout (`{error: {code, message,
 * issues}}`) a script can parse, else `herald: <message>` on stderr.
 */
export function printError(out: { format: string; stdout: Writable; stderr: Writable }, error: CliError): void {
  const doc = { error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } };
  if (out.format === 'json') out.stdout.write(`${JSON.stringify(doc)}\n`);
  else if (out.format === 'yaml') out.stdout.write(toYaml(doc));
  else out.stderr.write(`herald: ${error.message}\n`);
}

/**
 * A command's expected failure (a bad herald.yaml, an unreachable server: a ConfigError or HeraldError) printed
 * as its error document, exit 1; anything else is a bug and is thrown on.
 */
export function printFailure(out: { format: string; stdout: Writable; stderr: Writable }, err: unknown): ExitCode {
  if (err instanceof ConfigError) printError(out, { code: err.code, message: err.message, issues: err.issues });
  else if (isHeraldError(err)) printError(out, { code: err.code, message: err.message });
  else throw err;
  return ExitCode.failure;
}
