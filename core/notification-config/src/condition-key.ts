import { createHash } from 'node:crypto';

/** Argo's key of one trigger condition: `[<index>].<base64url-nopad(sha1(when))>`. */
export function conditionKey(index: number, when: string): string {
  return `[${index}].${createHash('sha1').update(when).digest('base64url')}`;
}
