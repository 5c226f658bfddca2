/** A `Status` object as the API server sends it in error responses and watch ERROR events. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { retryAfterSeconds?: number; [field: string]: unknown };
}

/** The API server answered with an error: an HTTP status, or an ERROR event in a watch. */
export class KubeApiError extends Error {
  /** HTTP status or the Status `code`: 403, 404, 410, 429, 500… */
  readonly status: number;
  /** The Status `reason`: `Forbidden`, `NotFound`, `Expired`, `Gone`, `TooManyRequests`… */
  readonly reason: string | undefined;
  /** From `Retry-After` or the Status `details.retryAfterSeconds`. */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, message: string, options: { reason?: string; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = options.reason;
    this.retryAfterMs = options.retryAfterMs;
  }

  static fromStatus(status: KubeStatus, httpStatus?: number, retryAfterHeader?: string): KubeApiError {
    const code = status.code ?? httpStatus ?? 500;
    const seconds = Number(retryAfterHeader ?? status.details?.retryAfterSeconds);
    return new KubeApiError(code, status.message || status.reason || `HTTP ${code}`, {
      ...(status.reason ? { reason: status.reason } : {}),
      ...(Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: seconds * 1_000 } : {}),
    });
  }
}

/** 410 Gone: the resource version asked for is no longer in the server's history, or a continue token expired. */
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 410;
}
