import { readFileSync } from 'node:fs';
import type { DetectedResource, ResourceDetector } from '@opentelemetry/resources';

const containerId = /([0-9a-f]{64})/;

/** The container Herald runs in (`container.id`), read from cgroup v1 or v2's mount info; nothing outside one. */
export const containerDetector: ResourceDetector = {
  detect(): DetectedResource {
    for (const file of ['/proc/self/cgroup', '/proc/self/mountinfo']) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        // v2 mountinfo: only the lines of the container runtime's own files name the container.
        if (file.endsWith('mountinfo') && !/\/(containers|docker|sandboxes)\//.test(line)) continue;
        const id = containerId.exec(line)?.[1];
        if (id) return { attributes: { 'container.id': id } };
      }
    }
    return { attributes: {} };
  },
};
