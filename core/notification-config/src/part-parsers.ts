import { isHeraldError, maskSecrets } from '@herald/plugin-sdk';
import type { z } from 'zod';
import { canonicalizeKeys, subscriptionShape, templateShape, triggerConditionShape } from './canonical-keys.ts';
import type { ConfigCompilers } from './compilers.ts';
import { conditionKey } from './condition-key.ts';
import type { PartIssues } from './config-issues.ts';
import { parseLabelSelector, type LabelSelector } from './label-selector.ts';
import type { GlobalSubscription, SecretSource, ServiceEntry, Trigger, TriggerCondition } from './notification-config.ts';
import { compileNotificationTemplate, type NotificationTemplate } from './notification-template.ts';
import { keyShapeOfSchema } from './schema-shape.ts';
import { sinkHint } from './sink-hint.ts';
import { isKnownBlock, isLiteralField, isParsedAtRender } from './template-blocks.ts';
import { substituteSecretRefs } from './secret-refs.ts';

// One function per kind of part. Each reads one ConfigMap key alone, reports every problem into its
// PartIssues and returns undefined when any is an error: a part is used whole or not at all.

const SERVICE_PART = /^[A-Za-z0-9_-]+$/;

/**
 * `trigger.<name>`: a list of conditions, each expression compiled; a `send` naming no template is a warning,
 * and so is a condition that reads the clock when `onChangeOnly` says why objects are evaluated only when they change.
 */
export function parseTrigger(name: string, text: string, issues: PartIssues, compilers: ConfigCompilers, templateDefined: (name: string) => boolean, onChangeOnly?: string): Trigger | undefined {
  const key = `trigger.${name}`;
  const parsed = issues.yaml(text);
  if (!parsed.ok) return undefined;
  const value = parsed.value;
  if (!Array.isArray(value)) {
    const hint = isObject(value) ? ' (write the condition as a list item: "- when: …")' : '';
    issues.error(key, `must be a YAML list of conditions, got ${describe(value)}${hint}`);
    return undefined;
  }
  const conditions: TriggerCondition[] = [];
  const expression = (path: string, source: string) => {
    try {
      return compilers.expression(source);
    } catch (err) {
      issues.error(path, isHeraldError(err) ? err.message : `cannot compile: ${String(err)}`);
      return undefined;
    }
  };
  (canonicalizeKeys(value, triggerConditionShape) as unknown[]).forEach((item, index) => {
    const path = `${key}[${index}]`;
    if (!isObject(item)) {
      issues.error(path, `must be a mapping with when/send, got ${describe(item)}`);
      return;
    }
    for (const k of Object.keys(item)) if (!['when', 'oncePer', 'description', 'send'].includes(k)) issues.warn(`${path}.${k}`, 'unknown field, ignored');
    const when = optionalString(issues, `${path}.when`, item.when) ?? '';
    const oncePer = optionalString(issues, `${path}.oncePer`, item.oncePer);
    const description = optionalString(issues, `${path}.description`, item.description) ?? '';
    const send = item.send === undefined || item.send === null ? [] : stringList(issues, `${path}.send`, item.send);
    if (send === undefined) return;
    if (send.length === 0) issues.warn(`${path}.send`, 'no templates: this condition never sends anything');
    // As the engine: the trigger loads; only its sends fail (dead-lettered when they happen).
    for (const t of send) if (!templateDefined(t)) issues.warn(`${path}.send`, `template "${t}" is not defined (no key template.${t}); sending this condition fails`);
    const whenExpression = expression(`${path}.when`, when);
    const oncePerExpression = oncePer ? expression(`${path}.oncePer`, oncePer) : undefined;
    if (!whenExpression || (oncePer && !oncePerExpression)) return;
    if (onChangeOnly && whenExpression.readsClock) {
      issues.warn(`${path}.when`, `reads the clock (time.Now()), but ${onChangeOnly}`);
    }
    conditions.push({ index, key: conditionKey(index, when), when, whenExpression, oncePer: oncePer || undefined, oncePerExpression, description, send });
  });
  return issues.failed ? undefined : { name, conditions };
}

/**
 * `template.<name>`: every string the engine parses at load compiled. A block of a service type whose sink
 * declared a template schema (`templateSchemas`) is checked against it; a key it does not have
 * (`slack.attachmnts`) is a warning naming it and is ignored, as the engine ignores it. A top-level key no
 * service has is a warning and is ignored too (never compiled, never rendered), unless it is a service type
 * a sink delivers without a schema (a sink outside Herald reads its own block) or no delivered types are
 * given: then it, and fields the engine parses only when rendering (gcppubsub `attributes`), are compiled
 * when first rendered, so their errors fail that send alone.
 */
export function parseTemplate(
  name: string,
  text: string,
  issues: PartIssues,
  compilers: ConfigCompilers,
  templateSchemas: ReadonlyMap<string, z.ZodType> | undefined,
  deliveredServiceTypes?: ReadonlySet<string>,
): NotificationTemplate | undefined {
  const key = `template.${name}`;
  const parsed = issues.yaml(text);
  if (!parsed.ok) return undefined;
  const value = parsed.value ?? {};
  if (!isObject(value)) {
    issues.error(key, `must be a mapping (message, email, slack, webhook…), got ${describe(value)}`);
    return undefined;
  }
  const definition = canonicalizeKeys(value, templateShape) as Record<string, unknown>;
  const sinkBlocks = templateSchemas ? new Set(templateSchemas.keys()) : undefined;
  // Argo's reader (sigs.k8s.io/yaml) turns an unquoted number or boolean into text where the field is text.
  if (typeof definition.message === 'number' || typeof definition.message === 'boolean') definition.message = goScalarText(definition.message);
  if (definition.message !== undefined && definition.message !== null && typeof definition.message !== 'string') {
    issues.error(`${key}.message`, `must be a string, got ${describe(definition.message)} (quote it)`);
  }
  for (const [block, body] of Object.entries(definition)) {
    if (!isKnownBlock(block, sinkBlocks)) {
      // As the engine, which ignores keys it does not know: never compiled, so never a reason to refuse.
      if (deliveredServiceTypes && !deliveredServiceTypes.has(block)) {
        issues.warn(`${key}.${block}`, `unknown key: no service Herald knows has a "${block}" block; ignored`);
        delete definition[block];
        continue;
      }
      issues.warn(`${key}.${block}`, `unknown key: no service Herald knows has a "${block}" block; it is not checked at load and is rendered only for a service of type "${block}"`);
    }
    const schema = templateSchemas?.get(block);
    if (!schema) continue;
    let canonical = canonicalizeKeys(body, keyShapeOfSchema(schema));
    // As Argo's reader: unquoted numbers and booleans are text where the block takes text (opsgenie `note: n`).
    canonical = scalarsAsTextWhereText(schema, canonical);
    let checked = schema.safeParse(canonical);
    if (!checked.success) {
      // Keys the block does not have are ignored, as the engine ignores them (never compiled); other problems refuse.
      const unknown = checked.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path.map(String), k]) : []));
      for (const path of unknown) issues.warn([`${key}.${block}`, ...path].join('.'), 'unknown key, ignored');
      canonical = withoutPaths(canonical, unknown);
      checked = schema.safeParse(canonical);
    }
    if (!checked.success) for (const issue of schemaIssues(`${key}.${block}`, checked.error)) issues.error(issue.path, issue.message);
    // The schema's output: its defaults are template text too (github's repoURLPath defaults to Argo's).
    else definition[block] = checked.data;
  }
  if (issues.failed) return undefined;
  try {
    const deferred = (path: readonly string[]) => (path.length === 1 && !isKnownBlock(path[0]!, sinkBlocks)) || isParsedAtRender(path);
    return compileNotificationTemplate(name, definition, compilers, deferred, isLiteralField);
  } catch (err) {
    issues.error(key, isHeraldError(err) ? err.message : `cannot compile: ${String(err)}`);
    return undefined;
  }
}

/** A copy of `value` without the keys at `paths`. */
function withoutPaths(value: unknown, paths: readonly (readonly string[])[]): unknown {
  if (paths.length === 0 || !isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (paths.some((p) => p.length === 1 && p[0] === k)) continue;
    out[k] = withoutPaths(v, paths.filter((p) => p.length > 1 && p[0] === k).map((p) => p.slice(1)));
  }
  return out;
}

export interface ServiceContext {
  secrets: Readonly<Record<string, string>>;
  /** Options schema of each service type a sink is loaded for. */
  serviceSchemas: ReadonlyMap<string, z.ZodType> | undefined;
  /** Service types a loaded sink delivers; a service of any other type is refused. Unset: every type is taken. */
  deliveredServiceTypes?: ReadonlySet<string> | undefined;
  /** The key of an earlier `service.*` key with the same service name, if any. */
  definedBy: (name: string) => string | undefined;
  /** Where the Secret lives, for the references a sink outside Herald is given; default: no location. */
  secretSource?: SecretSource | undefined;
}

/** `service.<type>[.<name>]`: the options, `$secret` references substituted and checked by the sink's schema. */
export function parseService(key: string, text: string, issues: PartIssues, context: ServiceContext): ServiceEntry | undefined {
  const id = serviceId(key);
  if (!id) {
    issues.error(key, 'must be service.<type> or service.<type>.<name> (letters, digits, "-" and "_")');
    return undefined;
  }
  const parsed = issues.yaml(text);
  if (!parsed.ok) return undefined;
  const value = parsed.value ?? {};
  if (!isObject(value)) {
    issues.error(key, `must be a mapping of the service's options, got ${describe(value)}`);
    return undefined;
  }
  const { value: substituted, missing, used, usedNames } = substituteSecretRefs(value, context.secrets);
  for (const m of missing) issues.warn(key, `secret key "${m}" not found; "$${m}" is used as written`);
  let config = substituted as Record<string, unknown>;
  // Notifications to it would be published and never delivered: refuse the part, say what would deliver it.
  if (context.deliveredServiceTypes && !context.deliveredServiceTypes.has(id.type)) {
    const loaded = [...context.deliveredServiceTypes].sort();
    const has = loaded.length ? `the loaded sinks deliver ${loaded.join(', ')}` : 'no sink plugin is loaded';
    issues.error(key, `no sink delivers service type "${id.type}" (${has}); add it to herald.yaml's plugins: ${sinkHint(id.type)}`);
    return undefined;
  }
  const schema = context.serviceSchemas?.get(id.type);
  if (schema) {
    const checked = schema.safeParse(canonicalizeKeys(config, keyShapeOfSchema(schema)));
    if (!checked.success) {
      // A schema's message may quote the value it refused, and that value may have come from the Secret.
      for (const issue of schemaIssues(key, checked.error)) issues.error(issue.path, maskSecrets(issue.message, used));
      return undefined;
    }
    config = checked.data as Record<string, unknown>;
  } else if (context.serviceSchemas && !context.deliveredServiceTypes) {
    issues.warn(key, `no sink plugin handles service type "${id.type}"; notifications to it will be dead-lettered`);
  }
  const existing = context.definedBy(id.name);
  if (existing) {
    issues.error(key, `service name "${id.name}" is already defined by ${existing}`);
    return undefined;
  }
  const secretRefs = Object.fromEntries(usedNames.map((name) => [name, { ...context.secretSource, key: name }]));
  return { key, type: id.type, name: id.name, config, secrets: used, options: value, secretRefs };
}

/** The type and the name subscriptions use, from a `service.*` key; undefined when it is malformed. */
export function serviceId(key: string): { type: string; name: string } | undefined {
  const parts = key.split('.');
  if (parts.length < 2 || parts.length > 3 || !parts.slice(1).every((p) => SERVICE_PART.test(p))) return undefined;
  return { type: parts[1]!, name: parts[2] ?? parts[1]! };
}

/** `subscriptions`: global subscriptions, each `service:recipient` split, each selector parsed. */
export function parseSubscriptions(key: string, text: string, issues: PartIssues): GlobalSubscription[] | undefined {
  const parsed = issues.yaml(text);
  if (!parsed.ok) return undefined;
  const value = parsed.value;
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.error(key, `must be a YAML list of {recipients, triggers, selector}, got ${describe(value)}`);
    return undefined;
  }
  const subscriptions: GlobalSubscription[] = [];
  (canonicalizeKeys(value, subscriptionShape) as unknown[]).forEach((item, i) => {
    const path = `${key}[${i}]`;
    if (!isObject(item)) {
      issues.error(path, `must be a mapping, got ${describe(item)}`);
      return;
    }
    const recipients: { service: string; recipient: string }[] = [];
    for (const r of stringList(issues, `${path}.recipients`, item.recipients ?? []) ?? []) recipients.push(splitRecipient(r));
    const triggers = stringList(issues, `${path}.triggers`, item.triggers ?? []) ?? [];
    const selectorText = optionalString(issues, `${path}.selector`, item.selector);
    let selector: LabelSelector | undefined;
    if (selectorText) {
      try {
        selector = parseLabelSelector(selectorText);
      } catch (err) {
        issues.error(`${path}.selector`, (err as Error).message);
        return;
      }
    }
    subscriptions.push({ recipients, triggers, selector });
  });
  return issues.failed ? undefined : subscriptions;
}

/**
 * `service:recipient` as the engine splits it (on every colon): the service is what comes before the first,
 * the recipient what lies between the first and the second; no colon is a service without a recipient.
 */
export function splitRecipient(text: string): { service: string; recipient: string } {
  const [service = '', recipient = ''] = text.split(':');
  return { service, recipient };
}

/** `defaultTriggers` and `defaultTriggers.<service>`: a list of trigger names. */
export function parseTriggerNames(key: string, text: string, issues: PartIssues): string[] | undefined {
  const parsed = issues.yaml(text);
  return parsed.ok ? stringList(issues, key, parsed.value) : undefined;
}

/** `context`: values templates see as `.context`; non-strings as JSON. */
export function parseContext(key: string, text: string, issues: PartIssues): Record<string, string> | undefined {
  const parsed = issues.yaml(text);
  if (!parsed.ok) return undefined;
  const value = parsed.value;
  if (value === null || value === undefined) return {};
  if (!isObject(value)) {
    issues.error(key, `must be a mapping of names to values, got ${describe(value)}`);
    return undefined;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

/** A sink schema's issues as the docs word them: one per unknown key, `<key path>: unknown key`. */
function schemaIssues(prefix: string, error: z.ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)];
    return issue.code === 'unrecognized_keys' ? issue.keys.map((k) => ({ path: [...path, k].join('.'), message: 'unknown key' })) : [{ path: path.join('.'), message: issue.message }];
  });
}

function stringList(issues: PartIssues, key: string, value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    issues.error(key, `must be a list of strings, got ${describe(value)}`);
    return undefined;
  }
  return value as string[];
}

function optionalString(issues: PartIssues, key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    issues.error(key, `must be a string, got ${describe(value)} (quote it)`);
    return undefined;
  }
  return value;
}

/** `value` with each number or boolean the schema wants as a string turned into text, as sigs.k8s.io/yaml does. */
function scalarsAsTextWhereText(schema: z.ZodType, value: unknown): unknown {
  const checked = schema.safeParse(value);
  if (checked.success) return value;
  let out = value;
  for (const issue of checked.error.issues) {
    if (issue.code !== 'invalid_type' || issue.expected !== 'string') continue;
    out = replaceAt(out, issue.path, (leaf) => (typeof leaf === 'number' || typeof leaf === 'boolean' ? goScalarText(leaf) : leaf));
  }
  return out;
}

/** A copy of `value` with the leaf at `path` replaced. */
function replaceAt(value: unknown, path: readonly PropertyKey[], replace: (leaf: unknown) => unknown): unknown {
  if (path.length === 0) return replace(value);
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number') return value.map((v, i) => (i === head ? replaceAt(v, rest, replace) : v));
  if (isObject(value) && typeof head === 'string' && Object.hasOwn(value, head)) return { ...value, [head]: replaceAt(value[head], rest, replace) };
  return value;
}

/** sigs.k8s.io/yaml's text for a number or boolean read into a string field: floats as float32 `%g`. */
export function goScalarText(value: number | boolean): string {
  if (typeof value === 'boolean' || Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  const single = Math.fround(value);
  let digits = 1;
  while (digits < 9 && Math.fround(Number(single.toPrecision(digits))) !== single) digits++;
  const [mantissa = '0', exp = '0'] = Number(single.toPrecision(digits)).toExponential().split('e');
  const exponent = Number(exp);
  const significant = mantissa.replace(/[-.]/g, '').length;
  if (exponent < -4 || exponent >= Math.max(significant, 1)) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return String(Number(single.toPrecision(digits)));
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
