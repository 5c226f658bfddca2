import { DeliveryError, isRetryableStatus, parseRetryAfter } from '@herald/plugin-sdk';
import { SQSServiceException } from '@aws-sdk/client-sqs';

/** SQS's answers for "slow down": retryable whatever their status. */
const THROTTLING = new Set(['RequestThrottled', 'ThrottlingException', 'Throttling', 'KmsThrottled', 'TooManyRequestsException', 'RequestLimitExceeded']);

/**
 * A DeliveryError for a failed SQS call. `what` starts the message (`awssqs "events": SendMessage to
 * deploys`). What SQS refuses as the caller's fault (QueueDoesNotExist, AccessDenied,
 * InvalidClientTokenId, SignatureDoesNotMatch, InvalidParameterValue…) fails the same way again:
 * permanent, with SQS's error name and text. Throttling, server faults and network failures are
 * retryable. The caller masks the service's secrets in the result.
 */
export function sqsError(what: string, err: unknown): DeliveryError {
  if (err instanceof SQSServiceException) {
    const status = err.$metadata.httpStatusCode;
    const message = `${what}: SQS answered${status === undefined ? '' : ` HTTP ${status}`} ${err.name}: ${err.message}`;
    if (THROTTLING.has(err.name) || err.$retryable?.throttling || status === 429) {
      const header = err.$response?.headers['retry-after'];
      return DeliveryError.transient(message, { cause: err, retryAfterMs: parseRetryAfter(header) });
    }
    if (err.$fault === 'server' || (status !== undefined && isRetryableStatus(status))) return DeliveryError.transient(message, { cause: err });
    return DeliveryError.permanent(message, err);
  }
  const name = err instanceof Error ? err.name : '';
  const text = err instanceof Error ? err.message : String(err);
  // No credentials anywhere (service options, environment, web identity, instance role): a configuration fix.
  if (name === 'CredentialsProviderError') return DeliveryError.permanent(`${what}: no AWS credentials: ${text}`, err);
  // The SDK could not tell which region to call.
  if (/region is missing/i.test(text)) return DeliveryError.permanent(`${what}: no region (set the service's region or AWS_DEFAULT_REGION): ${text}`, err);
  return DeliveryError.transient(`${what}: ${text}`, { cause: err });
}

