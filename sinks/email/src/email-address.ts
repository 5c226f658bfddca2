/**
 * `local@domain`, or `Name <local@domain>`: what Argo's email service (Go's net/mail) takes in `from` and
 * in a recipient. Deliberately loose on the local part, strict on what breaks SMTP: spaces, angle brackets,
 * line breaks, a missing `@`.
 */
const bare = /^[^\s<>@,;"]+@[^\s<>@,;"]+\.?[^\s<>@,;"]*$/;
const named = /^[^<>\r\n]*<([^\s<>@]+@[^\s<>@]+)>$/;

/** The address part of `text`, or undefined when it is not an email address. */
export function addressOf(text: string): string | undefined {
  const value = text.trim();
  if (bare.test(value)) return value;
  return named.exec(value)?.[1];
}

/** Argo's recipient list: addresses separated by commas, blanks around them ignored. */
export function splitRecipients(recipient: string): string[] {
  return recipient
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
}
