import type { BusSubscriber, Channel, ChannelData, DeliveryHandler, SubscribeOptions, Subscription } from '@herald/plugin-sdk';

/** Remembers a plugin's subscriptions so the kernel stops them before it stops the plugin. */
export class TrackedSubscriber implements BusSubscriber {
  readonly #inner: BusSubscriber;
  readonly #subscriptions: Subscription[] = [];

  constructor(inner: BusSubscriber) {
    this.#inner = inner;
  }

  async subscribe<C extends Channel>(channel: C, options: SubscribeOptions, handler: DeliveryHandler<ChannelData[C]>): Promise<Subscription> {
    const subscription = await this.#inner.subscribe(channel, options, handler);
    this.#subscriptions.push(subscription);
    return subscription;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#subscriptions.splice(0).map((s) => s.stop()));
  }
}
