import type { NotificationConfig } from '@herald/core-evaluator';

/** The notification config in force, swapped whole on every good reload. */
export interface NotificationConfigProvider {
  /** The last good config, or undefined before the first one loaded. */
  current(): NotificationConfig | undefined;
  /** Calls `listener` with every new good config. Returns an unsubscribe function. */
  onChange(listener: (config: NotificationConfig) => void): () => void;
  /** Where the config comes from, for messages: `configmap default/herald-notifications-cm`. */
  readonly origin: string;
}
