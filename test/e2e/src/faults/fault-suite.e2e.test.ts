import { startControlPlane, startNats } from '@herald/test-harness';
import { scenarios } from './fault-scenarios.ts';
import { defineFaultSuite } from './fault-suite.ts';

defineFaultSuite({
  title: 'fault suite',
  scenarios,
  async start() {
    const [cp, nats] = await Promise.all([startControlPlane(), startNats()]);
    return { world: { cp, nats }, describe: 'one nats-server', stop: async () => void (await Promise.all([cp.stop(), nats.stop()])) };
  },
});
