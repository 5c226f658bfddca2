import type { Evaluator, Plan } from './evaluator.ts';

/**
 * The problems of every config's plan worth a warning: with more than one config (self-service), a subscription
 * naming a service or trigger that one config lacks and another defines is that other config's, not a problem.
 */
export function planProblems(plans: ReadonlyArray<{ evaluator: Evaluator; plan: Plan }>): Iterable<string> {
  if (plans.length === 1) return plans[0]!.plan.problems;
  const problems = new Set<string>();
  for (const { evaluator, plan } of plans) {
    for (const problem of plan.problems) {
      const missing = plan.undefinedNames.get(problem);
      const definedElsewhere =
        missing !== undefined &&
        plans.some((other) => other.evaluator !== evaluator && (missing.kind === 'service' ? other.evaluator.config.services : other.evaluator.config.triggers).has(missing.name));
      // A name no config defines is said once (the same text from each); a namespace's other problems say whose.
      if (missing) {
        if (!definedElsewhere) problems.add(problem);
      } else problems.add(evaluator.configNamespace ? `${problem} (the config of namespace ${evaluator.configNamespace})` : problem);
    }
  }
  return problems;
}
