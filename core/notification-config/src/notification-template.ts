import type { CompiledTemplate, ConfigCompilers } from './compilers.ts';

/** A rendered notification: `message` plus per-service blocks (`email`, `slack`, `webhook.<name>`…). */
export type RenderedNotification = Record<string, unknown>;

type Node =
  | { kind: 'text'; template: CompiledTemplate }
  /** Text the engine parses only when it renders it: compiled on first render, its errors are render errors. */
  | { kind: 'lazy'; compile: () => CompiledTemplate; template?: CompiledTemplate }
  | { kind: 'value'; value: unknown }
  | { kind: 'list'; items: Node[] }
  | { kind: 'map'; entries: [string, Node][] };

/** `template.<name>` compiled: every string in it is a template, rendered into the same structure. */
export interface NotificationTemplate {
  name: string;
  /** Top-level blocks it defines: `message`, `email`, `webhook`… */
  blocks: readonly string[];
  render(vars: Readonly<Record<string, unknown>>, only?: ReadonlySet<string>): RenderedNotification;
}

/**
 * Compiles every string of a template definition; throws the compiler's error, which names the key and
 * path. Strings under a path `deferred` says yes to (a block no service of Herald's knows, fields the
 * engine parses only at render time) are compiled when first rendered instead; those `literal` says yes
 * to are never templates.
 */
export function compileNotificationTemplate(
  name: string,
  definition: Record<string, unknown>,
  compilers: Pick<ConfigCompilers, 'template'>,
  deferred: (path: readonly string[]) => boolean = () => false,
  literal: (path: readonly string[]) => boolean = () => false,
): NotificationTemplate {
  const compile = (value: unknown, path: string, keys: readonly string[], lazy: boolean): Node => {
    if (typeof value === 'string' && literal(keys)) return { kind: 'value', value };
    if (typeof value === 'string') {
      const source = value;
      const build = () => compilers.template(source, `template.${name}: ${path}`);
      return lazy ? { kind: 'lazy', compile: build } : { kind: 'text', template: build() };
    }
    if (Array.isArray(value)) return { kind: 'list', items: value.map((v, i) => compile(v, `${path}[${i}]`, keys, lazy)) };
    if (typeof value === 'object' && value !== null) {
      return {
        kind: 'map',
        entries: Object.entries(value).map(([k, v]) => {
          const at = [...keys, k];
          return [k, compile(v, path ? `${path}.${k}` : k, at, lazy || deferred(at))];
        }),
      };
    }
    return { kind: 'value', value };
  };
  const root = compile(definition, '', [], false);
  const entries = root.kind === 'map' ? root.entries : [];
  return {
    name,
    blocks: entries.map(([k]) => k),
    render(vars, only) {
      const out: RenderedNotification = {};
      for (const [k, node] of entries) if (!only || only.has(k)) out[k] = renderNode(node, vars);
      return out;
    },
  };
}

function renderNode(node: Node, vars: Readonly<Record<string, unknown>>): unknown {
  switch (node.kind) {
    case 'text':
      return node.template.render(vars);
    case 'lazy':
      node.template ??= node.compile();
      return node.template.render(vars);
    case 'value':
      return node.value;
    case 'list':
      return node.items.map((n) => renderNode(n, vars));
    case 'map':
      return Object.fromEntries(node.entries.map(([k, n]) => [k, renderNode(n, vars)]));
  }
}

/**
 * Renders the templates named in a trigger's `send` onto one notification, in order: a later template's
 * non-empty values win, maps merge key by key (two templates can define different webhooks).
 */
export function renderTemplates(templates: readonly NotificationTemplate[], vars: Readonly<Record<string, unknown>>, only?: ReadonlySet<string>): RenderedNotification {
  let merged: RenderedNotification = {};
  for (const template of templates) merged = mergeRendered(merged, template.render(vars, only)) as RenderedNotification;
  return merged;
}

function mergeRendered(base: unknown, next: unknown): unknown {
  if (isEmpty(next)) return base;
  if (isPlainObject(base) && isPlainObject(next)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(next)) out[k] = mergeRendered(out[k], v);
    return out;
  }
  return next;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
