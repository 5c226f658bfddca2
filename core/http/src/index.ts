export { AgentPool, postJson, type HttpAnswer, type ConnectionOptions } from './http-post.ts';
export { urlSecrets, shownUrl } from './url-secrets.ts';
export { sortedKeys, goEscape, compactJson, goValueText } from './go-json.ts';
export { maskedDeliveryError } from './masked-error.ts';
