import { afterAll, beforeAll } from 'vitest';
import { startControlPlane, startNats, type ControlPlane, type NatsServer } from '@herald/test-harness';
import { setUpScenario, type Scenario, type ScenarioOptions } from './scenario.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/** What a file of scenario tests shares; read it inside tests (the servers start in beforeAll). */
export interface ScenarioWorld {
  readonly cp: ControlPlane;
  readonly nats: NatsServer;
  readonly receiver: WebhookReceiver;
  /** setUpScenario on this world's control plane and NATS; its Herald processes are killed after the file. */
  scenario(options: ScenarioOptions): Promise<Scenario>;
}

/**
 * Registers the file's beforeAll and afterAll: a kube-apiserver, a nats-server and a webhook receiver for all
 * of its tests, and, after them, every Herald its scenarios started killed and the servers stopped.
 */
export function useScenarioWorld(): ScenarioWorld {
  let cp: ControlPlane | undefined;
  let nats: NatsServer | undefined;
  let receiver: WebhookReceiver | undefined;
  const scenarios: Scenario[] = [];
  beforeAll(async () => {
    [cp, nats, receiver] = await Promise.all([startControlPlane(), startNats(), startWebhookReceiver()]);
  });
  afterAll(async () => {
    await Promise.all(scenarios.flatMap((s) => s.heralds.map((h) => h.kill())));
    await Promise.all([cp?.stop(), nats?.stop(), receiver?.close()]);
  });
  const started = <T>(server: T | undefined): T => {
    if (server === undefined) throw new Error('the scenario world is read before its beforeAll started it');
    return server;
  };
  return {
    get cp() {
      return started(cp);
    },
    get nats() {
      return started(nats);
    },
    get receiver() {
      return started(receiver);
    },
    async scenario(options) {
      const s = await setUpScenario(started(cp), started(nats), options);
      scenarios.push(s);
      return s;
    },
  };
}
