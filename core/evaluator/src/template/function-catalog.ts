import { builtinFunctions } from './builtin-functions.ts';
import type { FunctionStatus } from './go-parser.ts';
import type { FunctionTable, TemplateFunction } from './function-types.ts';
import { sprigCollectionFunctions } from './sprig-collections.ts';
import { sprigDateFunctions } from './sprig-dates.ts';
import { sprigDictFunctions } from './sprig-dicts.ts';
import { sprigFloatFunctions } from './sprig-floats.ts';
import { sprigListFunctions } from './sprig-lists.ts';
import { sprigPasswordFunctions } from './sprig-password.ts';
import { sprigPathFunctions } from './sprig-paths.ts';
import { sprigRandomFunctions } from './sprig-random.ts';
import { sprigReflectionFunctions } from './sprig-reflection.ts';
import { sprigSemverFunctions } from './sprig-semver.ts';
import { sprigTextFunctions } from './sprig-text.ts';
import { sprigEncodingFunctions } from './sprig-encoding.ts';
import { sprigNumberFunctions } from './sprig-numbers.ts';
import { sprigRegexFunctions } from './sprig-regex.ts';
import { sprigStringFunctions } from './sprig-strings.ts';

const provided: Record<string, TemplateFunction> = Object.assign(
  Object.create(null) as Record<string, TemplateFunction>,
  builtinFunctions,
  sprigStringFunctions,
  sprigCollectionFunctions,
  sprigNumberFunctions,
  sprigEncodingFunctions,
  sprigDateFunctions,
  sprigRegexFunctions,
  sprigTextFunctions,
  sprigListFunctions,
  sprigDictFunctions,
  sprigFloatFunctions,
  sprigReflectionFunctions,
  sprigPathFunctions,
  sprigRandomFunctions,
  sprigPasswordFunctions,
  sprigSemverFunctions,
);

/**
 * sprig's `mustX` returns an error where `x` panics; both end the render with that error, so each is the
 * other under a second name. Likewise sprig's older spellings.
 */
const ALIASES: Readonly<Record<string, string>> = {
  mustAppend: 'append', mustChunk: 'chunk', mustCompact: 'compact', mustDeepCopy: 'deepCopy', mustHas: 'has',
  mustInitial: 'initial', mustMerge: 'merge', mustMergeOverwrite: 'mergeOverwrite', mustPrepend: 'prepend',
  mustRegexFind: 'regexFind', mustRegexFindAll: 'regexFindAll', mustRegexReplaceAll: 'regexReplaceAll',
  mustRegexReplaceAllLiteral: 'regexReplaceAllLiteral', mustRegexSplit: 'regexSplit', mustRest: 'rest',
  mustReverse: 'reverse', mustSlice: 'slice', mustUniq: 'uniq', mustWithout: 'without', tuple: 'list', trimall: 'trimAll',
};
for (const [alias, name] of Object.entries(ALIASES)) if (provided[name] !== undefined) provided[alias] = provided[name];

/** Every function a Herald template can name: Go's builtins and the sprig functions Herald provides. */
export const templateFunctions: FunctionTable = Object.freeze(provided);

/**
 * Names an Argo template may use (sprig v3's function map, the Slack helpers Argo adds) that Herald does
 * not provide: naming one, or one of Helm's, is a "not supported" error at load rather than "not defined".
 */
const ARGO_FUNCTION_NAMES = `
bcrypt buildCustomCert decryptAES encryptAES env expandenv genCA genCAWithKey genPrivateKey
genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey getHostByName htpasswd
hello toDecimal slackUserByEmail slackChannel slackUserGroup
`;

/** Helm's own template functions (neither sprig's nor Argo's): people copy them from charts. */
const HELM_FUNCTION_NAMES: ReadonlySet<string> = new Set(['include', 'tpl', 'required', 'lookup', 'toYaml', 'toYamlPretty', 'fromYaml', 'fromYamlArray', 'toToml', 'fromJsonArray']);

const unsupported: ReadonlySet<string> = new Set(ARGO_FUNCTION_NAMES.split(/\s+/).filter((name) => name !== ''));

export function functionStatus(name: string): FunctionStatus {
  if (Object.hasOwn(templateFunctions, name)) return 'provided';
  if (HELM_FUNCTION_NAMES.has(name)) return 'helm';
  return unsupported.has(name) ? 'unsupported' : 'unknown';
}

export function lookupFunction(name: string): TemplateFunction | undefined {
  return Object.hasOwn(templateFunctions, name) ? templateFunctions[name] : undefined;
}
