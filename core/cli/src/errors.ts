/** Codes the CLI prints in its own error output (`-o json`: `{ error: { code, message } }`). */
export const CliErrorCodes = {
  /** What failed is no HeraldError: a bug, reported as such. */
  unexpected: 'HERALD_ERR_UNEXPECTED',
  /** `herald dlq show|retry <id>` named no dead letter in the stream. */
  dlqNotFound: 'HERALD_ERR_DLQ_NOT_FOUND',
} as const;
