const REF = /\$[\w-]+/g;

export interface SubstitutionResult {
  value: unknown;
  /** Names referenced but absent from the secret; left in place as written, like Argo. */
  missing: string[];
  /** The values substituted: whatever shows these (errors, logs, dead letters) masks them. */
  used: string[];
  /** The names of the references substituted, for whoever needs to say where each value lives. */
  usedNames: string[];
}

/**
 * Replaces every `$name` in every string of a service's options with the secret's value (a substring
 * replacement, as Argo does). A name the secret lacks is left as written and reported.
 */
export function substituteSecretRefs(value: unknown, secrets: Readonly<Record<string, string>>): SubstitutionResult {
  const missing = new Set<string>();
  const used = new Set<string>();
  const usedNames = new Set<string>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(REF, (ref) => {
        const name = ref.slice(1);
        if (Object.hasOwn(secrets, name)) {
          usedNames.add(name);
          if (secrets[name]) used.add(secrets[name]);
          return secrets[name]!;
        }
        missing.add(name);
        return ref;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value), missing: [...missing], used: [...used], usedNames: [...usedNames] };
}
