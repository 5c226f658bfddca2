const utf8 = new TextEncoder();

/** 32-bit FNV-1a over the UTF-8 bytes of `text`: simple enough that a plugin in any language computes the same. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
