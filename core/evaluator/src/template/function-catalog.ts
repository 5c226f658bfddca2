import { builtinFunctions } from './builtin-functions.ts';
import type { FunctionStatus } from './go-parser.ts';
import type { FunctionTable, TemplateFunction } from './function-types.ts';
import { sprigCollectionFunctions } from './sprig-collections.ts';
import { sprigDateFunctions } from './sprig-dates.ts';
import { sprigDictFunctions } from './sprig-dicts.ts';
import { sprigFloatFunctions } from './sprig-floats.ts';
import { sprigListFunctions } from './sprig-lists.ts';
import { sprigPathFunctions } from './sprig-paths.ts';
import { sprigRandomFunctions } from './sprig-random.ts';
import { sprigReflectionFunctions } from './sprig-reflection.ts';
import { sprigTextFunctions } from './sprig-text.ts';
import { sprigEncodingFunctions } from './sprig-encoding.ts';
import { sprigNumberFunctions } from './sprig-numbers.ts';
import { sprigRegexFunctions } from './sprig-regex.ts';
import { sprigStringFunctions } from './sprig-strings.ts';

/** Every function a Herald template can name: Go's builtins and the sprig subset Herald provides. */
export const templateFunctions: FunctionTable = Object.freeze(
  Object.assign(
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
  ),
);

/**
 * Names an Argo template may use (sprig v3's function map, the Slack helpers Argo adds) that Herald does
 * not provide: naming one, or one of Helm's, is a "not supported" error at load rather than "not defined".
 */
const ARGO_FUNCTION_NAMES = `
abbrevboth add1f addf adler32sum all any append b32dec b32enc base bcrypt biggest buildCustomCert camelcase
chunk clean compact concat dateInZone dateModify date_in_zone date_modify decryptAES deepCopy deepEqual
derivePassword dig dir divf durationRound encryptAES env expandenv ext genCA genCAWithKey genPrivateKey
genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey getHostByName has hello htmlDate
htmlDateInZone htpasswd initial initials isAbs kebabcase kindIs kindOf maxf merge mergeOverwrite minf mulf
mustAppend mustChunk mustCompact mustDateModify mustDeepCopy mustFirst mustFromJson mustHas mustInitial
mustLast mustMerge mustMergeOverwrite mustPrepend mustRegexFind mustRegexFindAll mustRegexMatch
mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit mustRest mustReverse mustSlice mustToDate
mustToJson mustToPrettyJson mustToRawJson mustUniq mustWithout must_date_modify omit osBase osClean osDir
osExt osIsAbs pick pluck plural prepend randAlpha randAlphaNum randAscii randBytes randInt randNumeric
regexFind regexFindAll regexQuoteMeta regexReplaceAllLiteral regexSplit rest reverse round semver
semverCompare seq set sha512sum shuffle snakecase sortAlpha splitn subf swapcase toDate toDecimal toStrings
trimall tuple typeIs typeIsLike typeOf uniq unixEpoch unset untilStep untitle urlJoin urlParse uuidv4 values
without wrap wrapWith slackUserByEmail slackChannel slackUserGroup
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
