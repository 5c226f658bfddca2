export { callApi, aborted, AgentPool, type ApiCall, type ApiAnswer } from './http-call.ts';
export type { Dispatcher } from 'undici';
