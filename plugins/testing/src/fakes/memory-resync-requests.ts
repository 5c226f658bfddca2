import type { ResyncRequest, ResyncRequests } from '@herald/plugin-sdk';

/** ResyncRequests in memory, with `request()` to make one as Herald's core does when the notification config changes. */
export interface MemoryResyncRequests extends ResyncRequests {
  /** Makes a request (a resync unless `resync` is false) and hands it to every watch; returns it. */
  request(reason: string, options?: { resync?: boolean }): ResyncRequest;
}

/**
 * ResyncRequests in memory for a source's tests: `request()` makes one, as Herald's core does when the notification
 * config changes; `watch` hands over those after the revision given, then each new one.
 */
export function memoryResyncRequests(): MemoryResyncRequests {
  const made: ResyncRequest[] = [];
  const watches = new Set<(request: ResyncRequest) => void>();
  let revision = 0;
  return {
    latest: async () => made.at(-1),
    watch(after, handler) {
      for (const request of made) if (after === undefined || request.revision > after) handler(request);
      watches.add(handler);
      return { stop: () => void watches.delete(handler) };
    },
    request(reason, { resync = true } = {}) {
      const request: ResyncRequest = { revision: ++revision, resync, reason, at: new Date(0).toISOString() };
      made.push(request);
      for (const handler of watches) handler(request);
      return request;
    },
  };
}
