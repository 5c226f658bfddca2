import type { FunctionTable } from './function-types.ts';
import { FunctionError } from './template-errors.ts';
import { goTypeName, type GoMap } from './template-values.ts';

/** sprig's path functions (Go's path package; the os* ones are filepath's, the same on Linux) and URL functions. */

/** path.Clean: the shortest equivalent path, by Go's rules (no trailing slash, `.` for empty). */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

function base(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function dir(path: string): string {
  return cleanPath(path.slice(0, path.lastIndexOf('/') + 1));
}

function ext(path: string): string {
  for (let i = path.length - 1; i >= 0 && path[i] !== '/'; i--) if (path[i] === '.') return path.slice(i);
  return '';
}

const URL_SHAPE = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(.*)$/s;

function unescape(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new FunctionError(`unable to parse url: invalid URL escape in ${JSON.stringify(text)}`);
  }
}

/** net/url.Parse, into sprig's dict (scheme, host, hostname, path, query, opaque, fragment, userinfo). */
function urlParse(text: string): Record<string, string> {
  const hash = text.indexOf('#');
  const fragment = hash < 0 ? '' : unescape(text.slice(hash + 1));
  const [, scheme = '', rest0 = ''] = URL_SHAPE.exec(hash < 0 ? text : text.slice(0, hash)) ?? [];
  const question = rest0.indexOf('?');
  const query = question < 0 ? '' : rest0.slice(question + 1);
  let rest = question < 0 ? rest0 : rest0.slice(0, question);
  let opaque = '';
  let host = '';
  let userinfo = '';
  if (scheme !== '' && !rest.startsWith('/')) {
    opaque = rest;
    rest = '';
  } else if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    const at = authority.lastIndexOf('@');
    userinfo = at < 0 ? '' : authority.slice(0, at);
    host = at < 0 ? authority : authority.slice(at + 1);
  }
  const hostname = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:[0-9]*$/, '');
  const out = Object.create(null) as Record<string, string>;
  Object.assign(out, { scheme: scheme.toLowerCase(), host, hostname, path: unescape(rest), query, opaque, fragment, userinfo });
  return out;
}

function field(map: GoMap, key: string): string {
  const value = map[key];
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new FunctionError(`unable to parse ${key} key, must be of type string, but ${goTypeName(value)} found`);
  return value;
}

/** url.URL.String for sprig's dict. */
function urlJoin(map: GoMap): string {
  const [scheme, host, path, query, opaque, fragment, userinfo] = ['scheme', 'host', 'path', 'query', 'opaque', 'fragment', 'userinfo'].map((key) => field(map, key));
  let out = scheme === '' ? '' : `${scheme ?? ''}:`;
  if (opaque !== '') {
    out += opaque ?? '';
  } else {
    if (scheme !== '' || host !== '' || userinfo !== '') out += `//${userinfo === '' ? '' : `${userinfo ?? ''}@`}${host ?? ''}`;
    if (path !== '' && !(path ?? '').startsWith('/') && host !== '') out += '/';
    out += encodeURI(path ?? '').replaceAll('%25', '%');
  }
  if (query !== '') out += `?${query ?? ''}`;
  if (fragment !== '') out += `#${encodeURI(fragment ?? '')}`;
  return out;
}

const s = (value: unknown): string => value as string;

export const sprigPathFunctions: FunctionTable = {
  base: { params: ['string'], fn: ([path]) => base(s(path)) },
  dir: { params: ['string'], fn: ([path]) => dir(s(path)) },
  clean: { params: ['string'], fn: ([path]) => cleanPath(s(path)) },
  ext: { params: ['string'], fn: ([path]) => ext(s(path)) },
  isAbs: { params: ['string'], fn: ([path]) => s(path).startsWith('/') },
  osBase: { params: ['string'], fn: ([path]) => base(s(path)) },
  osDir: { params: ['string'], fn: ([path]) => dir(s(path)) },
  osClean: { params: ['string'], fn: ([path]) => cleanPath(s(path)) },
  osExt: { params: ['string'], fn: ([path]) => ext(s(path)) },
  osIsAbs: { params: ['string'], fn: ([path]) => s(path).startsWith('/') },
  urlParse: { params: ['string'], fn: ([text]) => urlParse(s(text)) },
  urlJoin: { params: ['map'], fn: ([map]) => urlJoin(map as GoMap) },
};
