import { Evaluator, parseNotificationConfig } from '@herald/core-evaluator';
import type { CaseOutcome, OracleCase, RenderOutcome, TriggerOutcome } from './outcome.ts';

/** The object's variable name in each host the corpus speaks for. */
const VAR_NAMES = { argocd: 'app', rollouts: 'rollout' } as const;

/**
 * Runs one case through Herald the way `herald trigger run` and `herald template notify` do: the config
 * loaded by the engine's loading code, each trigger run and each template rendered (every block) by the
 * evaluator's public API.
 */
export function runHerald(c: OracleCase): CaseOutcome {
  const clock = { now: () => new Date(c.now) };
  const { config, issues } = parseNotificationConfig({ data: c.configMap, secrets: c.secret }, { clock });
  if (!config) {
    const errors = issues.filter((i) => i.severity === 'error').map((i) => `${i.key}: ${i.message}`);
    return { loaded: false, loadError: errors.join('; '), triggers: {}, templates: {} };
  }
  const evaluator = new Evaluator(config, { varName: VAR_NAMES[c.preset], clock });
  const outcome: CaseOutcome = { loaded: true, triggers: {}, templates: {} };
  const triggerNames = [...config.triggers.keys()].sort();
  const templateNames = [...config.templates.keys()].sort();
  for (const { name, object } of c.objects) {
    const triggers: Record<string, TriggerOutcome> = {};
    for (const trigger of triggerNames) {
      try {
        const conditions = evaluator.runTrigger(trigger, object) ?? [];
        triggers[trigger] = { conditions: conditions.map((o) => ({ key: o.key, triggered: o.triggered, oncePer: o.oncePer ?? '' })) };
      } catch (err) {
        triggers[trigger] = { error: (err as Error).message };
      }
    }
    outcome.triggers[name] = triggers;
    const templates: Record<string, Record<string, RenderOutcome>> = {};
    for (const template of templateNames) {
      const perDestination: Record<string, RenderOutcome> = {};
      for (const { service, recipient } of c.destinations) {
        const serviceType = config.services.get(service)?.type ?? service;
        try {
          perDestination[`${service}:${recipient}`] = { notification: evaluator.render([template], object, { serviceType, service, recipient }, true) };
        } catch (err) {
          perDestination[`${service}:${recipient}`] = { error: (err as Error).message };
        }
      }
      templates[template] = perDestination;
    }
    outcome.templates[name] = templates;
  }
  return outcome;
}
