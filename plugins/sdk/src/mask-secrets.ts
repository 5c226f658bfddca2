/** What a masked secret is shown as. */
export const SECRET_MASK = '***';

/**
 * Replaces every occurrence of each secret in `text` with `***`, longest first (a secret containing
 * another is masked whole). Every non-empty value is masked, whatever it looks like: a short or
 * letters-only secret is as secret as a long token. Also masks the URL-encoded form of each value, as
 * it shows once substituted into a URL.
 */
export function maskSecrets(text: string, secrets: Iterable<string> | undefined): string {
  if (!secrets) return text;
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) forms.add(encoded);
  }
  const found = [...forms].filter((s) => text.includes(s)).sort((a, b) => b.length - a.length);
  return found.reduce((out, s) => out.replaceAll(s, SECRET_MASK), text);
}

/**
 * Masks the secrets in the message and stack of an error and of every error in its cause chain, in place
 * (loggers print the causes too). Returns the error.
 */
export function maskErrorSecrets<E>(err: E, secrets: readonly string[] | undefined): E {
  if (!secrets?.length) return err;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const masked = maskSecrets(e.message, secrets);
    if (masked === e.message) continue;
    if (e.stack) e.stack = maskSecrets(e.stack, secrets);
    e.message = masked;
  }
  return err;
}
