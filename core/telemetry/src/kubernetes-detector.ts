import type { DetectedResource, ResourceDetector } from '@opentelemetry/resources';

/**
 * The pod Herald runs in, from the downward API variables the Helm chart sets (POD_NAME, POD_NAMESPACE,
 * POD_UID, NODE_NAME): the Kubernetes attributes of the OTel resource semantic conventions. Outside a
 * pod nothing is detected.
 */
export function kubernetesDetector(env: NodeJS.ProcessEnv = process.env): ResourceDetector {
  return {
    detect(): DetectedResource {
      const pairs: [string, string | undefined][] = [
        ['k8s.pod.name', env.POD_NAME],
        ['k8s.namespace.name', env.POD_NAMESPACE],
        ['k8s.pod.uid', env.POD_UID],
        ['k8s.node.name', env.NODE_NAME],
      ];
      const attributes: Record<string, string> = {};
      for (const [key, v] of pairs) if (v) attributes[key] = v;
      return { attributes };
    },
  };
}
