/**
 * Go-like values and functions that expressions and templates share: `GoDuration` (time.Duration),
 * `GoTime` (time.Time, millisecond precision), Go reference-time layouts, and the `time`/`strings`
 * objects Argo's hosts give expressions (`time.Now/Parse`, `strings.ReplaceAll/ToUpper/ToLower`) plus the
 * extensions listed on `HostTime` and `HostStrings`.
 */
export { GoDuration, parseGoDuration } from './go-duration.ts';
export { GoTime, formatRfc3339, parseDateText, parseRfc3339 } from './go-time.ts';
export type { GoLocation } from './go-time.ts';
export { formatGoLayout, formatZoned } from './go-layout.ts';
export { parseGoLayout } from './go-layout-parse.ts';
export type { FormatGoLayoutOptions } from './go-layout.ts';
export { createHostFunctions, isHostNamespace } from './host-functions.ts';
export type { HostClock, HostFunctions, HostStrings, HostTime } from './host-functions.ts';
export { MAX_REPLACED_LENGTH, replaceAll } from './replace-all.ts';
