/** `--recipient <service>:<recipient>`, checked as it is parsed: a malformed one is a usage error. */
export function parseRecipient(value: string): { service: string; recipient: string } | undefined {
  const colon = value.indexOf(':');
  return colon <= 0 ? undefined : { service: value.slice(0, colon), recipient: value.slice(colon + 1) };
}
