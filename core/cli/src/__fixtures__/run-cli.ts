import { PassThrough } from 'node:stream';
import type { ExitCode } from '../exit-codes.ts';
import { runCli } from '../program.ts';

export interface CliRun {
  code: ExitCode;
  stdout: string;
  stderr: string;
}

/** Runs `herald <args>` in this process, as main.ts would, and returns its exit code and what it wrote. */
export async function herald(...args: string[]): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (c: Buffer) => (chunks.out += c.toString()));
  stderr.on('data', (c: Buffer) => (chunks.err += c.toString()));
  const code = await runCli(args, { stdout, stderr });
  return { code, stdout: chunks.out, stderr: chunks.err };
}
