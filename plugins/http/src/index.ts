export { callApi, boundedText, excerpt, type ApiCall, type ApiAnswer, type CallOptions } from './api-call.ts';
export { AgentPool, transportAgent } from './agent-pool.ts';
export { boundedFetch, MAX_LIBRARY_ANSWER_BYTES } from './bounded-fetch.ts';
export {
  transportOptionsShape,
  httpPluginConfigSchema,
  unsetIfNull,
  boundedDuration,
  httpUrlSchema,
  webhookUrlsSchema,
  type TransportOptions,
  type HttpPluginConfig,
} from './transport-options.ts';
export { urlSecrets, shownUrl, webhookFor } from './url-secrets.ts';
export { sortedKeys, goEscape, compactJson, goValueText } from './go-json.ts';
export type { Dispatcher } from 'undici';
export { SinkConnections } from './sink-connections.ts';
export { deliveryFailure } from './delivery-failure.ts';
