import type { BusSubscriber, Channel, ChannelData, DeliveryHandler, SubscribeOptions, Subscription } from '@herald/plugin-sdk';
import { KernelErrorCodes, PluginError } from './errors.ts';
import { callPlugin } from './plugins/plugin-call.ts';

/**
 * A plugin's view of the bus subscriber: every handler call runs under the plugin's call deadline with
 * errors attributed to it, and the kernel can stop the plugin's subscriptions before it stops the plugin.
 */
export class TrackedSubscriber implements BusSubscriber {
  readonly #inner: BusSubscriber;
  readonly #pluginId: string;
  readonly #callTimeoutMs: number;
  readonly #subscriptions: Subscription[] = [];
  #stopped = false;

  constructor(inner: BusSubscriber, pluginId: string, callTimeoutMs: number) {
    this.#inner = inner;
    this.#pluginId = pluginId;
    this.#callTimeoutMs = callTimeoutMs;
  }

  /**
   * Durable names are the plugin's own: `<plugin id>-<durable>`, so two plugins never share (or take over)
   * a consumer, while replicas of one plugin do share theirs.
   */
  async subscribe<C extends Channel>(channel: C, options: SubscribeOptions, handler: DeliveryHandler<ChannelData[C]>): Promise<Subscription> {
    if (this.#stopped) throw new PluginError(this.#pluginId, KernelErrorCodes.pluginCall, 'subscribe called after the plugin was stopped');
    const durable = `${this.#pluginId}-${options.durable}`;
    const what = `handling a ${channel} message (${durable})`;
    const subscription = await this.#inner.subscribe(channel, { ...options, durable }, (delivery) =>
      callPlugin(this.#pluginId, what, this.#callTimeoutMs, () => handler(delivery)),
    );
    if (this.#stopped) {
      // stopAll ran while this subscribe was under way (an init past its deadline).
      await subscription.stop();
      throw new PluginError(this.#pluginId, KernelErrorCodes.pluginCall, 'subscribe finished after the plugin was stopped');
    }
    this.#subscriptions.push(subscription);
    return subscription;
  }

  async stopAll(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#subscriptions.splice(0).map((s) => s.stop()));
  }
}
