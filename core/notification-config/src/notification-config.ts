import type { SecretRef } from '@herald/plugin-sdk';
import type { CompiledExpression } from './compilers.ts';
import type { LabelSelector } from './label-selector.ts';
import type { NotificationTemplate } from './notification-template.ts';

/** One entry of a `trigger.<name>` list. */
export interface TriggerCondition {
  /** Position in the trigger's list; part of the condition key. */
  index: number;
  /** Argo's condition key `[<index>].<hash of when>`. */
  key: string;
  when: string;
  whenExpression: CompiledExpression;
  oncePer: string | undefined;
  oncePerExpression: CompiledExpression | undefined;
  description: string;
  /** Template names, rendered in order onto one notification. */
  send: readonly string[];
}

export interface Trigger {
  name: string;
  conditions: readonly TriggerCondition[];
}

/** `service.<type>[.<name>]`: one configured destination service. */
export interface ServiceEntry {
  /** The ConfigMap key it came from, e.g. `service.webhook.webhook`. */
  key: string;
  type: string;
  /** The name subscriptions use: `<name>`, or `<type>` for a two-part key. */
  name: string;
  /** Options with `$secret` references substituted (and parsed by the sink's schema when one is known). */
  config: Readonly<Record<string, unknown>>;
  /** The values substituted from the Secret into `config`: masked wherever Herald shows text about the service. */
  secrets: readonly string[];
  /**
   * The options as the ConfigMap writes them, `$name` references left in place: what a sink outside Herald
   * is given (`destination.options`), so no secret value goes on the bus.
   */
  options: Readonly<Record<string, unknown>>;
  /** Where each `$name` of `options` found in the Secret lives (`destination.secretRefs`). */
  secretRefs: Readonly<Record<string, SecretRef>>;
}

/** Where the notification config's Secret is read from: its name and namespace, or a file. */
export type SecretSource = Omit<SecretRef, 'key'>;

/** One entry of the ConfigMap's `subscriptions` list. */
export interface GlobalSubscription {
  /** `service:recipient` pairs, split as the engine splits them (`hook` is service hook, no recipient). */
  recipients: readonly { service: string; recipient: string }[];
  /** Triggers; empty means the default triggers. */
  triggers: readonly string[];
  /** Objects whose labels match; absent matches every object. */
  selector: LabelSelector | undefined;
}

/**
 * An Argo notifications ConfigMap (and its Secret) in force: each part at its last good version, a part
 * that never had one absent. One object per loaded version; it does not change once handed out, except
 * that `triggers` and `templates` compile a part the first time it is asked for (every map operation but
 * `get`/`has` of one name compiles them all). A process given no compilers throws on reading them.
 */
export interface NotificationConfig {
  triggers: ReadonlyMap<string, Trigger>;
  templates: ReadonlyMap<string, NotificationTemplate>;
  /** By service name. */
  services: ReadonlyMap<string, ServiceEntry>;
  subscriptions: readonly GlobalSubscription[];
  defaultTriggers: readonly string[];
  /** `defaultTriggers.<service>`, by service name. */
  serviceDefaultTriggers: ReadonlyMap<string, readonly string[]>;
  /** The `context` key: values templates see as `.context`. */
  context: Readonly<Record<string, string>>;
  /** The Secret's data: what Argo CD and Argo Rollouts show their templates as `.secrets`. */
  secrets: Readonly<Record<string, string>>;
}

/** A problem in one key of the config. An error refuses that part's new version; a warning does not. */
export interface ConfigIssue {
  severity: 'error' | 'warning';
  /** ConfigMap key and path inside its value, e.g. `trigger.on-pod-ready[0].when`. */
  key: string;
  message: string;
  /** File and line, when the config came from a file. */
  file?: string;
  line?: number;
}
