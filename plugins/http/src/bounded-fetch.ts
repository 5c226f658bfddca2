/** The most of one answer a vendor's client library may read: far above any answer the sinks' calls get. */
export const MAX_LIBRARY_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * `fetch` for a vendor's client library (Slack's WebClient, Octokit), its answers read to `maxBytes` at most.
 * A longer body fails the read (a plain Error, for the library and the sink to name the call it was) and
 * closes the connection: a broken or hostile endpoint costs bounded memory, never the process that delivers
 * to every other destination too. The libraries read whole answers themselves and take a `fetch`, so the bound
 * goes there. (Octokit reads a failed body as empty: the call then ends on the answer's status.)
 */
export function boundedFetch(fetchFn: typeof globalThis.fetch, maxBytes = MAX_LIBRARY_ANSWER_BYTES): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetchFn(input, init);
    if (!response.body) return response;
    let read = 0;
    const limited = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          read += chunk.byteLength;
          if (read > maxBytes) controller.error(new Error(`the answer was longer than ${maxBytes} bytes; read no further`));
          else controller.enqueue(chunk);
        },
      }),
    );
    const bounded = new Response(limited, { status: response.status, statusText: response.statusText, headers: response.headers });
    // What a Response built here cannot be given: the libraries read them (the URL after redirects).
    Object.defineProperty(bounded, 'url', { value: response.url });
    Object.defineProperty(bounded, 'redirected', { value: response.redirected });
    return bounded;
  };
}
