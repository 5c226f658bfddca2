import type { coreServices, PublishReceipt, ResolvedDeps, ResourceEventData } from '@herald/plugin-sdk';

export type Observe = ResolvedDeps<{ tracer: typeof coreServices.tracer }>['tracer'];

/**
 * Runs `publish` inside an `observe <Kind>` span, the root of the trace of every notification the event
 * causes, with the attributes the Kubernetes source gives it.
 */
export function publishObserved(tracer: Observe | undefined, data: ResourceEventData, publish: () => Promise<PublishReceipt>): Promise<PublishReceipt> {
  if (!tracer) return publish();
  const { ref } = data;
  const attributes = {
    'herald.object': ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name,
    'k8s.resource.version': data.resourceVersion,
    'herald.action': data.action,
    'herald.resource': ref.group ? `${ref.resource}.${ref.version}.${ref.group}` : `${ref.resource}.${ref.version}`,
  };
  return tracer.startActiveSpan(`observe ${ref.kind}`, { attributes }, async (span) => {
    try {
      return await publish();
    } catch (err) {
      span.recordException(err as Error);
      throw err;
    } finally {
      span.end();
    }
  });
}
