export { callApi, aborted, AgentPool, type ApiCall, type ApiAnswer } from './http-call.ts';
export { postJson, type Answer, type PostOptions } from './json-post.ts';
export type { Dispatcher } from 'undici';
