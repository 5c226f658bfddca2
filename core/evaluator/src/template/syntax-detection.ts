import { locate, type TemplateErrors } from './template-errors.ts';

/**
 * Tells a Go template (Argo's syntax) from a native handlebars one, action by action:
 * - handlebars only: `{{#…}}`, `{{/…}}` (not `{{/*`), `{{^…}}`, `{{>…}}`, `{{!…}}`, `{{{…}}}`, `{{&…}}`,
 *   `{{~…}}`, `@data`, `this`, `../`, `key=value`, and any word that names no function
 *   (`{{pod.metadata.name}}`, `{{upper pod.name}}`) unless it is a single name alone (`{{recipient}}`,
 *   `{{nosuchfunc}}`), which Go reads as a function call;
 * - Go only: a field or variable (`.x`, `$x`, `$`), a parenthesised pipeline, a Go keyword (`if`, `range`,
 *   `with`, `end`, `define`…), a trim marker (`{{- `, ` -}}`) or a Go comment;
 * - anything else (`{{else}}`, `{{else if …}}`, `{{upper "x"}}`, `{{.}}`) fits both.
 * A template with a handlebars-only action and no Go-only one is handlebars; otherwise Go, so every Argo
 * template stays Go. Having both is an error that names one of each.
 */

export type TemplateSyntax = 'go' | 'handlebars';

const GO_KEYWORDS = new Set(['if', 'range', 'with', 'end', 'define', 'template', 'block', 'break', 'continue']);
const SPACE = /[ \t\r\n]/;

interface Marker {
  readonly offset: number;
  readonly text: string;
}

type Kind = 'go' | 'handlebars' | 'both';

const LITERAL_WORDS = new Set(['else', 'true', 'false', 'nil']);

function classifyWord(token: string, isFunction: (name: string) => boolean, alone: boolean): Kind {
  if (token.startsWith('$')) return 'go';
  if (token.startsWith('.')) return /^\.[\p{L}_]/u.test(token) ? 'go' : token.startsWith('./') || token.startsWith('..') ? 'handlebars' : 'both';
  if (token.startsWith('@') || token === 'this' || token.startsWith('this.') || token.startsWith('this/')) return 'handlebars';
  // `key=value` is a handlebars hash argument; Go has only `=` and `:=` on their own.
  if (token.includes('=') && token !== '=' && token !== ':=') return 'handlebars';
  const base = /^[\p{L}_][\p{L}\p{Nd}_]*/u.exec(token)?.[0];
  if (base === undefined) return 'both';
  if (GO_KEYWORDS.has(base)) return 'go';
  if (LITERAL_WORDS.has(base) || isFunction(base)) return 'both';
  // Alone, `{{name}}` is as much Go (a call of function `name`) as handlebars (a path): a template of
  // such actions is Go, so `{{nosuchfunc}}` is "not defined" at load rather than a failing render.
  if (alone && base === token) return 'both';
  // A word that is no function: a handlebars path (`pod.metadata.name`); Go would not know it.
  return 'handlebars';
}

function classifyAction(action: string, isFunction: (name: string) => boolean): Kind {
  const inner = action.slice(2, action.endsWith('}}') ? -2 : undefined);
  const c = inner[0] ?? '';
  if ('{#^>!&~*'.includes(c)) return 'handlebars';
  if (c === '/') return inner[1] === '*' ? 'go' : 'handlebars';
  if (c === '-' && SPACE.test(inner[1] ?? '')) return 'go';
  if (/\s-$/.test(inner)) return 'go';
  if (inner.trimStart().startsWith('(')) return 'go';
  const words = inner.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ').split(/[\s()|]+/).filter((w) => w !== '');
  // `{{else if …}}` is both languages' else-if.
  if (words[0] === 'else' && (words[1] === 'if' || words[1] === 'with')) words.splice(0, 2);
  let kind: Kind = 'both';
  for (const word of words) {
    const wordKind = classifyWord(word, isFunction, words.length === 1);
    if (wordKind === 'go') return 'go';
    if (wordKind === 'handlebars') kind = 'handlebars';
  }
  return kind;
}

/** The end of the action opened at `open` (after its closing braces), skipping quoted text. */
function actionEnd(source: string, open: number): number {
  if (source.startsWith('{{!--', open)) {
    const close = source.indexOf('--}}', open + 5);
    return close === -1 ? source.length : close + 4;
  }
  let i = open + 2;
  while (i < source.length) {
    const c = source[i];
    if (c === '"' || c === "'" || c === '`') {
      const close = source.indexOf(c, i + 1);
      i = close === -1 ? source.length : close + 1;
      continue;
    }
    if (c === '}' && source[i + 1] === '}') return source[i + 2] === '}' ? i + 3 : i + 2;
    i++;
  }
  return source.length;
}

export function detectSyntax(source: string, errors: TemplateErrors, isFunction: (name: string) => boolean): TemplateSyntax {
  let go: Marker | undefined;
  let handlebars: Marker | undefined;
  for (let open = source.indexOf('{{'); open !== -1; ) {
    const end = actionEnd(source, open);
    const action = source.slice(open, end);
    const kind = classifyAction(action, isFunction);
    const marker = { offset: open, text: action.length > 40 ? `${action.slice(0, 37)}...` : action };
    if (kind === 'go') go ??= marker;
    if (kind === 'handlebars') handlebars ??= marker;
    if (go !== undefined && handlebars !== undefined) {
      const [earlier, later] = go.offset < handlebars.offset ? [go, handlebars] : [handlebars, go];
      const { line, column } = locate(source, earlier.offset);
      throw errors.syntax(
        `template mixes Go template syntax and handlebars syntax: ${later.text} does not fit with ${earlier.text} at ${line}:${column}; use one of them`,
        later.offset,
      );
    }
    open = source.indexOf('{{', Math.max(end, open + 2));
  }
  return handlebars !== undefined ? 'handlebars' : 'go';
}
