import { parse as parseYaml } from 'yaml';
import type { Destination } from '@herald/plugin-sdk';
import { annotationSubscriptionShape, canonicalizeKeys, type NotificationConfig } from '@herald/core-notification-config';

export const DEFAULT_ANNOTATION_PREFIX = 'notifications.argoproj.io';

/** A trigger and where its notifications go. */
export interface Subscription {
  trigger: string;
  destination: Destination;
  /** Where it comes from: the annotation's key, or `subscriptions[<i>]` of the config (for `herald route test`). */
  origin: string;
}

export interface ResolvedSubscriptions {
  subscriptions: Subscription[];
  /** Subscriptions that could not be used (unknown service, unreadable annotation), for warnings. */
  problems: string[];
  /** The services named by subscriptions that the config does not define, by the problem that says so. */
  undefinedServices: Map<string, string>;
}

interface ObjectMeta {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * Who wants to hear about this object: its `subscribe.*` / `subscriptions` annotations and the config's
 * global `subscriptions` whose selector matches its labels, merged without duplicates.
 */
export function resolveSubscriptions(config: NotificationConfig, object: Readonly<Record<string, unknown>>, prefix = DEFAULT_ANNOTATION_PREFIX): ResolvedSubscriptions {
  const meta = (isRecord(object.metadata) ? object.metadata : {}) as ObjectMeta;
  const annotations = isStringMap(meta.annotations) ? meta.annotations : {};
  const labels = isStringMap(meta.labels) ? meta.labels : {};
  const problems: string[] = [];
  const undefinedServices = new Map<string, string>();
  const seen = new Set<string>();
  const subscriptions: Subscription[] = [];

  const add = (triggers: readonly string[], service: string, recipient: string, origin: string) => {
    const entry = config.services.get(service);
    if (!entry) {
      const problem = `${origin}: service "${service}" is not defined in the config`;
      problems.push(problem);
      undefinedServices.set(problem, service);
      return;
    }
    for (const trigger of triggers) {
      const id = JSON.stringify([trigger, service, recipient]);
      if (seen.has(id)) continue;
      seen.add(id);
      subscriptions.push({ trigger, destination: { serviceType: entry.type, service, recipient }, origin });
    }
  };
  const defaultsFor = (service: string) => config.serviceDefaultTriggers.get(service) ?? config.defaultTriggers;

  const subscribePrefix = `${prefix}/subscribe.`;
  const listKey = `${prefix}/subscriptions`;
  for (const key of Object.keys(annotations).sort()) {
    const value = annotations[key]!;
    if (key.startsWith(subscribePrefix)) {
      const parts = key.slice(subscribePrefix.length).split('.');
      const [trigger, service] = parts.length >= 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
      // An empty value is one destination without a recipient (e.g. a webhook).
      const recipients = value === '' ? [''] : splitRecipients(value);
      for (const r of recipients) add(trigger ? [trigger] : defaultsFor(service), service, r, key);
    } else if (key === listKey) {
      let list: unknown;
      try {
        list = canonicalizeKeys(parseYaml(value, { logLevel: 'error' }), annotationSubscriptionShape);
      } catch (err) {
        problems.push(`${key}: invalid YAML: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      if (!Array.isArray(list)) {
        if (list !== null && list !== undefined) problems.push(`${key}: must be a list of {trigger, destinations}`);
        continue;
      }
      for (const item of list) {
        const triggers = isRecord(item) && Array.isArray(item.trigger) ? item.trigger.filter((t): t is string => typeof t === 'string') : [];
        const destinations = isRecord(item) && Array.isArray(item.destinations) ? item.destinations : [];
        for (const d of destinations) {
          if (!isRecord(d) || typeof d.service !== 'string') continue;
          const recipients = Array.isArray(d.recipients) ? d.recipients.filter((r): r is string => typeof r === 'string') : [];
          for (const r of recipients) add(triggers.length ? triggers : defaultsFor(d.service), d.service, r, key);
        }
      }
    }
  }

  config.subscriptions.forEach((s, i) => {
    if (s.selector && !s.selector.matches(labels)) return;
    for (const r of s.recipients) add(s.triggers.length ? s.triggers : defaultsFor(r.service), r.service, r.recipient, `subscriptions[${i}]`);
  });
  return { subscriptions, problems, undefinedServices };
}

/** `a; b;;c` → `[a, b, c]`, as Argo reads a subscription annotation's value. */
export function splitRecipients(value: string): string[] {
  return value
    .split(';')
    .map((r) => r.trim())
    .filter((r) => r !== '');
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
}
