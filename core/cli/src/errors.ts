import { HeraldError } from '@herald/plugin-sdk';
import { ExitCode } from './exit-codes.ts';

/** Codes the CLI prints in its own error output (`-o json`: `{ error: { code, message } }`). */
export const CliErrorCodes = {
  /** What failed is no HeraldError: a bug, reported as such. */
  unexpected: 'HERALD_ERR_UNEXPECTED',
  /** `herald dlq show|retry <id>` named no dead letter in the stream. */
  dlqNotFound: 'HERALD_ERR_DLQ_NOT_FOUND',
  /** The command line is wrong: an unknown command or option, a bad value (exit 2). */
  usage: 'HERALD_ERR_USAGE',
  /** A trigger, template, object or ConfigMap the command names does not exist. */
  notFound: 'HERALD_ERR_NOT_FOUND',
  /** `template notify --send`: the sink did not take the notification for at least one recipient. */
  sendFailed: 'HERALD_ERR_SEND_FAILED',
} as const;

/** A command's failure as it is printed: its code, its issues for `-o json`, and its exit code. */
export class CommandError extends HeraldError {
  readonly issues: readonly unknown[] | undefined;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: { issues?: readonly unknown[]; exitCode?: ExitCode; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'CommandError';
    this.issues = options.issues;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** A command line that names something that cannot be used (a `--recipient` of no service): exit 2. */
export function usageError(message: string): CommandError {
  return new CommandError(CliErrorCodes.usage, message, { exitCode: ExitCode.usage });
}
