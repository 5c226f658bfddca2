import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwssqsServiceConfig } from './awssqs.config.ts';

interface Entry {
  /** The options the client was made with, to notice a changed service. */
  key: string;
  client: SQSClient;
  /** Queue URLs by queue name (and owner account), looked up once: Argo asks GetQueueUrl before every send. */
  queueUrls: Map<string, string>;
}

/**
 * One SQS client per configured service (its connections kept alive between sends), made with the SDK's
 * own retries off: one `send` is one attempt, and Herald's delivery runtime retries.
 */
export class ClientPool {
  readonly #entries = new Map<string, Entry>();

  #entry(service: string, options: AwssqsServiceConfig): Entry {
    const key = JSON.stringify(options);
    const existing = this.#entries.get(service);
    if (existing?.key === key) return existing;
    existing?.client.destroy();
    const region = options.region ?? process.env.AWS_DEFAULT_REGION;
    const client = new SQSClient({
      ...(region ? { region } : {}),
      ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
      // Both set, as Argo requires; otherwise the SDK's default chain (environment, web identity, instance role).
      ...(options.key && options.secret ? { credentials: { accessKeyId: options.key, secretAccessKey: options.secret } } : {}),
      maxAttempts: 1,
    });
    const entry = { key, client, queueUrls: new Map<string, string>() };
    this.#entries.set(service, entry);
    return entry;
  }

  client(service: string, options: AwssqsServiceConfig): SQSClient {
    return this.#entry(service, options).client;
  }

  /** The queue's URL: from the cache, else GetQueueUrl (Argo's lookup, with its owner account). */
  async queueUrl(service: string, options: AwssqsServiceConfig, queueName: string, signal: AbortSignal): Promise<string> {
    const entry = this.#entry(service, options);
    const cacheKey = `${options.account ?? ''}/${queueName}`;
    const known = entry.queueUrls.get(cacheKey);
    if (known) return known;
    const answer = await entry.client.send(new GetQueueUrlCommand({ QueueName: queueName, ...(options.account ? { QueueOwnerAWSAccountId: options.account } : {}) }), { abortSignal: signal });
    if (!answer.QueueUrl) throw new Error(`GetQueueUrl answered no QueueUrl for ${queueName}`);
    entry.queueUrls.set(cacheKey, answer.QueueUrl);
    return answer.QueueUrl;
  }

  /** Forgets a queue's URL (SQS said it does not exist: it may be recreated elsewhere). */
  forget(service: string, options: AwssqsServiceConfig, queueName: string): void {
    this.#entries.get(service)?.queueUrls.delete(`${options.account ?? ''}/${queueName}`);
  }

  close(): void {
    for (const entry of this.#entries.values()) entry.client.destroy();
    this.#entries.clear();
  }
}
