import type { ConfigIssue, GlobalSubscription, NotificationConfig, ServiceEntry, Trigger } from './notification-config.ts';
import type { NotificationTemplate } from './notification-template.ts';
import { PartMap, type Part, type PartKind } from './part-map.ts';

/** Reads a part (memoized); `lazy` when it is read on demand rather than during a reload. */
export type ReadPart = <T>(part: Part<T>, lazy: boolean) => T | undefined;

/**
 * The config its users see, over one version's parts: services and the other cheap parts at once,
 * triggers and templates through maps that read a part when it is first asked for.
 */
export function configSnapshot(parts: ReadonlyMap<string, Part<unknown>>, read: ReadPart, secrets: Readonly<Record<string, string>>): NotificationConfig {
  const byKind = <T>(kind: PartKind) => [...parts.values()].filter((p): p is Part<T> => p.kind === kind);
  const good = <T>(part: Part<T> | undefined) => (part ? read(part, false) : undefined);
  const named = <T>(kind: PartKind) => new Map(byKind<T>(kind).map((p) => [p.key.slice(kind.length + 1), p]));
  const services = new Map<string, ServiceEntry>();
  for (const p of byKind<ServiceEntry>('service')) {
    const entry = good(p);
    if (entry && !services.has(entry.name)) services.set(entry.name, entry);
  }
  const serviceDefaultTriggers = new Map<string, readonly string[]>();
  for (const p of byKind<string[]>('defaultTriggers')) {
    const names = p.key === 'defaultTriggers' ? undefined : good(p);
    if (names) serviceDefaultTriggers.set(p.key.slice('defaultTriggers.'.length), names);
  }
  return Object.freeze({
    triggers: new PartMap<Trigger>(named<Trigger>('trigger'), (p) => read(p, true)),
    templates: new PartMap<NotificationTemplate>(named<NotificationTemplate>('template'), (p) => read(p, true)),
    services,
    subscriptions: good(parts.get('subscriptions') as Part<GlobalSubscription[]> | undefined) ?? [],
    defaultTriggers: good(parts.get('defaultTriggers') as Part<string[]> | undefined) ?? [],
    serviceDefaultTriggers,
    context: good(parts.get('context') as Part<Record<string, string>> | undefined) ?? {},
    secrets: Object.freeze({ ...secrets }),
  });
}

/** Names one part uses of another that do not exist: warnings, the parts are used. */
export function referenceIssues(config: NotificationConfig, keys: readonly string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const triggerKeys = new Set(keys.filter((k) => k.startsWith('trigger.')));
  const warn = (key: string, message: string) => issues.push({ severity: 'warning', key, message });
  const checkTriggers = (key: string, names: readonly string[]) => {
    for (const t of names) if (!triggerKeys.has(`trigger.${t}`)) warn(key, `trigger "${t}" is not defined (no key trigger.${t})`);
  };
  checkTriggers('defaultTriggers', config.defaultTriggers);
  for (const [service, names] of config.serviceDefaultTriggers) {
    checkTriggers(`defaultTriggers.${service}`, names);
    if (!config.services.has(service)) warn(`defaultTriggers.${service}`, `service "${service}" is not defined`);
  }
  config.subscriptions.forEach((s, i) => {
    checkTriggers(`subscriptions[${i}].triggers`, s.triggers);
    for (const r of s.recipients) if (!config.services.has(r.service)) warn(`subscriptions[${i}].recipients`, `service "${r.service}" is not defined`);
  });
  return issues;
}
