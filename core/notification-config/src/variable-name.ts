/**
 * The object's name in expressions and templates: the engine config's `notifications.variables` by
 * group/kind (`argoproj.io/Application`) or kind (`Application`), else its lower-case kind. The evaluator
 * and the CLI both name objects with this, so `herald trigger run` agrees with the running engine.
 */
export function variableName(ref: { group: string; kind: string }, variables: Readonly<Record<string, string>>): string {
  return variables[`${ref.group}/${ref.kind}`] ?? variables[ref.kind] ?? ref.kind.toLowerCase();
}
