import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { isHeraldError } from '@herald/plugin-sdk';
import { conditionKey } from '../dedup/state-keys.ts';
import { compileExpression } from '../expr/index.ts';
import type { HostClock } from '../host/index.ts';
import { parseLabelSelector } from '../subscriptions/label-selector.ts';
import { canonicalizeKeys, subscriptionShape, templateShape, triggerConditionShape } from './canonical-keys.ts';
import type { ConfigIssue, GlobalSubscription, NotificationConfig, ServiceEntry, Trigger, TriggerCondition } from './notification-config.ts';
import { compileNotificationTemplate, type NotificationTemplate } from './notification-template.ts';
import { substituteSecretRefs } from './secret-refs.ts';
import { keyShapeOfSchema } from './schema-shape.ts';

/** Where a ConfigMap key sits in its file: the key's line and the line its value's text starts on. */
export interface KeyPosition {
  line: number;
  valueLine: number;
}

export interface NotificationConfigInput {
  /** The ConfigMap's `data`. */
  data: Readonly<Record<string, string>>;
  /** The Secret's data, decoded: what `$name` references in service options resolve to. */
  secrets?: Readonly<Record<string, string>>;
  /** For messages: the file the ConfigMap came from and where each key is in it. */
  file?: string;
  positions?: ReadonlyMap<string, KeyPosition>;
}

export interface ParseNotificationConfigOptions {
  /** Options schema of each service type a sink is loaded for; service entries are checked against it. */
  serviceSchemas?: ReadonlyMap<string, z.ZodType>;
  /** Clock of `time.Now()` / `now` (tests). */
  clock?: HostClock;
}

export interface ParsedNotificationConfig {
  /** Absent when any issue is an error: a config is used whole or not at all. */
  config: NotificationConfig | undefined;
  issues: ConfigIssue[];
}

const SERVICE_PART = /^[A-Za-z0-9_-]+$/;

/**
 * Parses and compiles an Argo notifications ConfigMap: every expression and template compiles here, once.
 * Every problem is reported with the key (and path inside its value) it is in; nothing throws.
 */
export function parseNotificationConfig(input: NotificationConfigInput, options: ParseNotificationConfigOptions = {}): ParsedNotificationConfig {
  const issues: ConfigIssue[] = [];
  const at = (key: string, innerLine?: number) => {
    const dataKey = owningKey(key, input.data);
    const pos = dataKey === undefined ? undefined : input.positions?.get(dataKey);
    const line = pos ? (innerLine === undefined ? pos.line : pos.valueLine + innerLine - 1) : undefined;
    return { ...(input.file === undefined ? {} : { file: input.file }), ...(line === undefined ? {} : { line }) };
  };
  const error = (key: string, message: string, innerLine?: number) => issues.push({ severity: 'error', key, message, ...at(key, innerLine) });
  const warn = (key: string, message: string, innerLine?: number) => issues.push({ severity: 'warning', key, message, ...at(key, innerLine) });

  const yaml = (key: string, text: string): { ok: true; value: unknown } | { ok: false } => {
    // logLevel: YAML warnings become issues here rather than process warnings on stderr.
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, logLevel: 'silent' });
    if (doc.errors.length > 0) {
      // The first error says where it went wrong; the ones after it mostly follow from it.
      for (const e of doc.errors.slice(0, 1)) error(key, `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, e.linePos?.[0]?.line);
      return { ok: false };
    }
    for (const w of doc.warnings) warn(key, `YAML: ${w.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, w.linePos?.[0]?.line);
    try {
      return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
    } catch (err) {
      // Unresolved aliases and alias bombs surface only here.
      error(key, `invalid YAML: ${(err as Error).message.split('\n')[0]}`);
      return { ok: false };
    }
  };

  const triggers = new Map<string, Trigger>();
  const templates = new Map<string, NotificationTemplate>();
  const services = new Map<string, ServiceEntry>();
  const subscriptions: GlobalSubscription[] = [];
  let defaultTriggers: string[] = [];
  const serviceDefaultTriggers = new Map<string, string[]>();
  let context: Record<string, string> = {};
  const secrets = input.secrets ?? {};

  for (const [key, text] of Object.entries(input.data)) {
    if (typeof text !== 'string') {
      error(key, 'must be a string');
      continue;
    }
    if (key.startsWith('trigger.')) {
      const name = key.slice('trigger.'.length);
      if (!name) error(key, 'trigger name is empty');
      else {
        const parsed = yaml(key, text);
        if (parsed.ok) {
          const trigger = parseTrigger(key, name, parsed.value);
          if (trigger) triggers.set(name, trigger);
        }
      }
    } else if (key.startsWith('template.')) {
      const name = key.slice('template.'.length);
      if (!name) error(key, 'template name is empty');
      else {
        const parsed = yaml(key, text);
        if (parsed.ok) {
          const template = parseTemplate(key, name, parsed.value);
          if (template) templates.set(name, template);
        }
      }
    } else if (key.startsWith('service.')) {
      const parsed = yaml(key, text);
      if (parsed.ok) parseService(key, parsed.value);
    } else if (key === 'subscriptions') {
      const parsed = yaml(key, text);
      if (parsed.ok) parseSubscriptions(key, parsed.value);
    } else if (key === 'defaultTriggers') {
      const parsed = yaml(key, text);
      if (parsed.ok) defaultTriggers = stringList(key, parsed.value) ?? [];
    } else if (key.startsWith('defaultTriggers.')) {
      const service = key.slice('defaultTriggers.'.length);
      const parsed = yaml(key, text);
      if (parsed.ok) serviceDefaultTriggers.set(service, stringList(key, parsed.value) ?? []);
    } else if (key === 'context') {
      const parsed = yaml(key, text);
      if (parsed.ok) context = parseContext(key, parsed.value);
    }
    // Other keys are ignored, as Argo ignores them.
  }

  // References between keys, once every key is known.
  for (const trigger of triggers.values()) {
    for (const c of trigger.conditions) {
      for (const t of c.send) if (!templates.has(t)) error(`trigger.${trigger.name}[${c.index}].send`, `template "${t}" is not defined (no key template.${t})`);
    }
  }
  const checkTriggerRefs = (key: string, names: readonly string[]) => {
    for (const t of names) if (!triggers.has(t)) warn(key, `trigger "${t}" is not defined (no key trigger.${t})`);
  };
  checkTriggerRefs('defaultTriggers', defaultTriggers);
  for (const [service, names] of serviceDefaultTriggers) {
    checkTriggerRefs(`defaultTriggers.${service}`, names);
    if (!services.has(service)) warn(`defaultTriggers.${service}`, `service "${service}" is not defined`);
  }
  subscriptions.forEach((s, i) => {
    checkTriggerRefs(`subscriptions[${i}].triggers`, s.triggers);
    for (const r of s.recipients) if (!services.has(r.service)) warn(`subscriptions[${i}].recipients`, `service "${r.service}" is not defined`);
  });

  const failed = issues.some((i) => i.severity === 'error');
  return {
    config: failed ? undefined : Object.freeze({ triggers, templates, services, subscriptions, defaultTriggers, serviceDefaultTriggers, context }),
    issues,
  };

  function parseTrigger(key: string, name: string, value: unknown): Trigger | undefined {
    if (!Array.isArray(value)) {
      const hint = isObject(value) ? ' (write the condition as a list item: "- when: …")' : '';
      error(key, `must be a YAML list of conditions, got ${describe(value)}${hint}`);
      return undefined;
    }
    const conditions: TriggerCondition[] = [];
    const items = canonicalizeKeys(value, triggerConditionShape) as unknown[];
    items.forEach((item, index) => {
      const path = `${key}[${index}]`;
      if (!isObject(item)) {
        error(path, `must be a mapping with when/send, got ${describe(item)}`);
        return;
      }
      for (const k of Object.keys(item)) if (!['when', 'oncePer', 'description', 'send'].includes(k)) warn(`${path}.${k}`, 'unknown field, ignored');
      const when = optionalString(`${path}.when`, item.when) ?? '';
      const oncePer = optionalString(`${path}.oncePer`, item.oncePer);
      const description = optionalString(`${path}.description`, item.description) ?? '';
      const send = item.send === undefined || item.send === null ? [] : stringList(`${path}.send`, item.send);
      if (send === undefined) return;
      if (send.length === 0) warn(`${path}.send`, 'no templates: this condition never sends anything');
      const whenExpression = expression(`${path}.when`, when);
      const oncePerExpression = oncePer ? expression(`${path}.oncePer`, oncePer) : undefined;
      if (!whenExpression || (oncePer && !oncePerExpression)) return;
      conditions.push({ index, key: conditionKey(index, when), when, whenExpression, oncePer: oncePer || undefined, oncePerExpression, description, send });
    });
    return { name, conditions };
  }

  function expression(key: string, source: string) {
    try {
      return compileExpression(source);
    } catch (err) {
      error(key, isHeraldError(err) ? err.message : `cannot compile: ${String(err)}`);
      return undefined;
    }
  }

  function parseTemplate(key: string, name: string, value: unknown): NotificationTemplate | undefined {
    if (value === null || value === undefined) value = {};
    if (!isObject(value)) {
      error(key, `must be a mapping (message, email, slack, webhook…), got ${describe(value)}`);
      return undefined;
    }
    try {
      return compileNotificationTemplate(name, canonicalizeKeys(value, templateShape) as Record<string, unknown>, options.clock);
    } catch (err) {
      error(key, isHeraldError(err) ? err.message : `cannot compile: ${String(err)}`);
      return undefined;
    }
  }

  function parseService(key: string, value: unknown): void {
    const parts = key.split('.');
    if (parts.length < 2 || parts.length > 3 || !parts.slice(1).every((p) => SERVICE_PART.test(p))) {
      error(key, 'must be service.<type> or service.<type>.<name> (letters, digits, "-" and "_")');
      return;
    }
    const type = parts[1]!;
    const name = parts[2] ?? type;
    if (value === null || value === undefined) value = {};
    if (!isObject(value)) {
      error(key, `must be a mapping of the service's options, got ${describe(value)}`);
      return;
    }
    const { value: substituted, missing } = substituteSecretRefs(value, secrets);
    for (const m of missing) warn(key, `secret key "${m}" not found; "$${m}" is used as written`);
    let config = substituted as Record<string, unknown>;
    const schema = options.serviceSchemas?.get(type);
    if (schema) {
      const parsed = schema.safeParse(canonicalizeKeys(config, keyShapeOfSchema(schema)));
      if (!parsed.success) {
        for (const issue of parsed.error.issues) error([key, ...issue.path.map(String)].join('.'), issue.message);
        return;
      }
      config = parsed.data as Record<string, unknown>;
    } else if (options.serviceSchemas) {
      warn(key, `no sink plugin handles service type "${type}"; notifications to it will be dead-lettered`);
    }
    const existing = services.get(name);
    if (existing) {
      error(key, `service name "${name}" is already defined by ${existing.key}`);
      return;
    }
    services.set(name, { key, type, name, config });
  }

  function parseSubscriptions(key: string, value: unknown): void {
    if (value === null || value === undefined) return;
    if (!Array.isArray(value)) {
      error(key, `must be a YAML list of {recipients, triggers, selector}, got ${describe(value)}`);
      return;
    }
    (canonicalizeKeys(value, subscriptionShape) as unknown[]).forEach((item, i) => {
      const path = `${key}[${i}]`;
      if (!isObject(item)) {
        error(path, `must be a mapping, got ${describe(item)}`);
        return;
      }
      const recipients: { service: string; recipient: string }[] = [];
      for (const r of stringList(`${path}.recipients`, item.recipients ?? []) ?? []) {
        const colon = r.indexOf(':');
        if (colon <= 0) error(`${path}.recipients`, `"${r}" must be <service>:<recipient> (e.g. slack:alerts)`);
        else recipients.push({ service: r.slice(0, colon), recipient: r.slice(colon + 1) });
      }
      const triggers = stringList(`${path}.triggers`, item.triggers ?? []) ?? [];
      const selectorText = optionalString(`${path}.selector`, item.selector);
      let selector;
      if (selectorText) {
        try {
          selector = parseLabelSelector(selectorText);
        } catch (err) {
          error(`${path}.selector`, (err as Error).message);
          return;
        }
      }
      subscriptions.push({ recipients, triggers, selector });
    });
  }

  function parseContext(key: string, value: unknown): Record<string, string> {
    if (value === null || value === undefined) return {};
    if (!isObject(value)) {
      error(key, `must be a mapping of names to values, got ${describe(value)}`);
      return {};
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }

  function stringList(key: string, value: unknown): string[] | undefined {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      error(key, `must be a list of strings, got ${describe(value)}`);
      return undefined;
    }
    return value as string[];
  }

  function optionalString(key: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      error(key, `must be a string, got ${describe(value)} (quote it)`);
      return undefined;
    }
    return value;
  }
}

/** The ConfigMap key a path like `trigger.on-x[0].when` or `service.webhook.x.url` is in: the longest data key it starts with. */
function owningKey(path: string, data: Readonly<Record<string, string>>): string | undefined {
  if (Object.hasOwn(data, path)) return path;
  let best: string | undefined;
  for (const key of Object.keys(data)) {
    if (path.startsWith(key) && (path[key.length] === '.' || path[key.length] === '[') && key.length > (best?.length ?? 0)) best = key;
  }
  return best;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}
