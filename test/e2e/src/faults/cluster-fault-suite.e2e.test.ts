import { startControlPlane, startNatsCluster } from '@herald/test-harness';
import { ciClusterScenarios, clusterScenarios } from './cluster-scenarios.ts';
import { defineFaultSuite } from './fault-suite.ts';

defineFaultSuite({
  title: 'cluster fault suite',
  scenarios: clusterScenarios,
  ciScenarios: ciClusterScenarios,
  async start() {
    const [cp, cluster] = await Promise.all([startControlPlane(), startNatsCluster()]);
    return {
      world: { cp, cluster },
      describe: `three nats-servers (${cluster.members.map((m) => m.name).join(', ')}) with JetStream R3, each on a network namespace of its own`,
      stop: async () => void (await Promise.all([cp.stop(), cluster.stop()])),
    };
  },
});
