/**
 * Kubernetes label selector in its string form (`app=web,tier!=db,env in (prod,staging),!legacy,canary`),
 * as `kubectl -l` and Argo's global `subscriptions[].selector` take it.
 */
export interface LabelSelector {
  readonly source: string;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

type Requirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: ReadonlySet<string> };

export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

// Label keys: optional DNS prefix + '/' + name; values: up to 63 chars of [A-Za-z0-9-_.], alnum at the ends.
const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Parses a selector; throws LabelSelectorError naming the part it cannot read. Empty matches everything. */
export function parseLabelSelector(source: string): LabelSelector {
  const requirements = splitTopLevel(source).map(parseRequirement);
  return {
    source,
    matches(labels) {
      const has = (k: string) => labels !== undefined && Object.hasOwn(labels, k);
      for (const r of requirements) {
        const present = has(r.key);
        switch (r.op) {
          case 'exists':
            if (!present) return false;
            break;
          case 'notexists':
            if (present) return false;
            break;
          case 'in':
            if (!present || !r.values.has(labels![r.key]!)) return false;
            break;
          case 'notin':
            if (present && r.values.has(labels![r.key]!)) return false;
            break;
        }
      }
      return true;
    },
  };
}

/** Splits on commas outside parentheses. */
function splitTopLevel(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of source) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new LabelSelectorError(`unbalanced ")" in ${JSON.stringify(source)}`);
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) throw new LabelSelectorError(`unbalanced "(" in ${JSON.stringify(source)}`);
  parts.push(current);
  const trimmed = parts.map((p) => p.trim());
  if (trimmed.length === 1 && trimmed[0] === '') return [];
  const empty = trimmed.findIndex((p) => p === '');
  if (empty >= 0) throw new LabelSelectorError(`empty requirement at position ${empty + 1} in ${JSON.stringify(source)}`);
  return trimmed;
}

function parseRequirement(text: string): Requirement {
  let m = /^!\s*(\S+)$/.exec(text);
  if (m) return { op: 'notexists', key: checkKey(m[1]!, text) };
  m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (m) {
    const values = m[3]!.split(',').map((v) => checkValue(v.trim(), text));
    if (values.length === 0 || (values.length === 1 && values[0] === '' && m[3]!.trim() === '')) {
      throw new LabelSelectorError(`"${text}": ${m[2]} needs at least one value`);
    }
    return { op: m[2] as 'in' | 'notin', key: checkKey(m[1]!, text), values: new Set(values) };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (m) {
    const values = new Set([checkValue(m[3]!, text)]);
    return { op: m[2] === '!=' ? 'notin' : 'in', key: checkKey(m[1]!, text), values };
  }
  if (/^\S+$/.test(text)) return { op: 'exists', key: checkKey(text, text) };
  throw new LabelSelectorError(`cannot read requirement "${text}" (use key, !key, key=value, key!=value, key in (a,b), key notin (a,b))`);
}

function checkKey(key: string, requirement: string): string {
  if (!KEY.test(key) || key.length > 317) throw new LabelSelectorError(`"${requirement}": "${key}" is not a valid label key`);
  return key;
}

function checkValue(value: string, requirement: string): string {
  if (!VALUE.test(value)) throw new LabelSelectorError(`"${requirement}": "${value}" is not a valid label value`);
  return value;
}
