import type { SinkSchemas } from '@herald/core-cli';
import { Evaluator, parseNotificationConfig } from '@herald/core-evaluator';
import type { NotificationData } from '@herald/plugin-sdk';
import { buildAlert } from '@herald/sink-alertmanager';
import { pullRequestCommentContent } from '@herald/sink-github';
import type { CaseOutcome, OracleCase, RenderOutcome, TriggerOutcome } from './outcome.ts';

/** The object's variable name in each host the corpus speaks for. */
const VAR_NAMES = { argocd: 'app', rollouts: 'rollout' } as const;

/** The sinks' schemas a case is loaded with: what `herald template notify` loads without a herald.yaml (Herald's built-in sinks). */
export type HeraldSinks = Omit<SinkSchemas, 'engineConfig' | 'evaluatedOnChangeOnly'>;

/**
 * Runs one case through Herald the way `herald trigger run` and `herald template notify` do: the config
 * loaded by the engine's loading code with the sinks' service and template schemas (their defaults and
 * what they ignore), each trigger run and each template rendered (every block) by the evaluator's public API.
 */
export function runHerald(c: OracleCase, sinks?: HeraldSinks): CaseOutcome {
  const clock = { now: () => new Date(c.now) };
  const { config, issues } = parseNotificationConfig({ data: c.configMap, secrets: c.secret }, { ...sinks, clock });
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
          const rendered = evaluator.render([template], object, { serviceType, service, recipient }, true);
          perDestination[`${service}:${recipient}`] = { notification: sinks ? asSinksSend(template, rendered) : rendered };
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

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What the engine's templaters fill in when they render, and Herald's sinks only when they send: applied
 * with the sinks' own code, so that what is compared is what the sink sends (github's comment marker,
 * alertmanager's alert: `alertname`, a git@ generatorURL made https). The defaults that are template text
 * come from the sinks' template schemas, at load.
 */
function asSinksSend(template: string, rendered: Record<string, unknown>): Record<string, unknown> {
  const out = { ...rendered };
  const { github, alertmanager } = out;
  if (isMap(github) && isMap(github.pullRequestComment)) {
    const comment = github.pullRequestComment as { content?: string; commentTag?: string };
    out.github = { ...github, pullRequestComment: { ...comment, content: pullRequestCommentContent(comment) } };
  }
  if (isMap(alertmanager)) {
    // startsAt is left out: the engine stamps it with its wall clock (see compare.ts).
    const { labels, annotations, generatorURL } = buildAlert({ template, rendered } as NotificationData, new Date(0));
    out.alertmanager = { labels, annotations, generatorURL };
  }
  return out;
}
