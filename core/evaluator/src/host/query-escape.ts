/** Go's `url.QueryEscape` (and text/template's `urlquery`): UTF-8 percent-encoding, a space as `+`. */
export function queryEscape(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD'))
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}
