import type { Destination } from '@herald/plugin-sdk';
import { renderTemplates, type NotificationConfig, type RenderedNotification, type TriggerCondition } from '@herald/core-notification-config';
import { stateKey } from '../dedup/state-keys.ts';
import { EvaluatorErrorCodes, TemplateError } from '../errors.ts';
import { evaluateCondition } from '../expr/index.ts';
import { createHostFunctions, type HostClock } from '../host/index.ts';
import { DEFAULT_ANNOTATION_PREFIX, resolveSubscriptions } from '../subscriptions/subscriptions.ts';
import { hostVariables } from './host-variables.ts';
import { formatOncePer } from './once-per.ts';

export interface EvaluatorOptions {
  /** Name the object has in expressions and templates: `pod`, `app`… */
  varName: string;
  /** Annotation prefix of subscriptions and of the `notified` annotation. */
  annotationPrefix?: string;
  clock?: HostClock;
  /**
   * The namespace of a self-service config (one read from an object's own namespace): its state keys start
   * with it, as Argo's do, and its destinations carry it so the sink reads the service from that config.
   */
  configNamespace?: string;
}

/** The outcome of one trigger condition on one object. */
export interface ConditionOutcome {
  trigger: string;
  index: number;
  /** Argo's condition key `[<index>].<hash>`. */
  key: string;
  when: string;
  triggered: boolean;
  /** The oncePer value (only evaluated when triggered; `""` when it failed, as in the engine). */
  oncePer: string | undefined;
  templates: readonly string[];
  /** Why the condition counts as false although its expression ran: a runtime error or a non-boolean result. */
  problem: string | undefined;
}

/** One (condition, destination) pair of a plan: the evaluator worker claims it through core/dedup (send once) or releases it (condition false). */
export interface Decision {
  trigger: string;
  condition: ConditionOutcome;
  destination: Destination;
  stateKey: string;
  triggered: boolean;
  /** oncePer conditions are never cleared when false. */
  oncePer: boolean;
}

export interface Plan {
  decisions: Decision[];
  /** Subscriptions or conditions that could not be used, for warnings. */
  problems: string[];
  /**
   * The problems that say a subscription names a service or trigger this config does not define, with the
   * name: another config that applies to the object (self-service) may define it.
   */
  undefinedNames: Map<string, { kind: 'service' | 'trigger'; name: string }>;
}

/**
 * Evaluates one config against objects: triggers (jexl), subscriptions, state keys, and rendering. Pure:
 * no I/O and no state of its own, so any number of evaluators can share a config.
 */
export class Evaluator {
  readonly config: NotificationConfig;
  readonly varName: string;
  readonly annotationPrefix: string;
  readonly configNamespace: string | undefined;
  private readonly host: ReturnType<typeof createHostFunctions>;

  constructor(config: NotificationConfig, options: EvaluatorOptions) {
    this.config = config;
    this.varName = options.varName;
    this.annotationPrefix = options.annotationPrefix ?? DEFAULT_ANNOTATION_PREFIX;
    this.configNamespace = options.configNamespace;
    this.host = createHostFunctions(options.clock);
  }

  /** Evaluates every condition of a trigger; undefined when the config has no such trigger. */
  runTrigger(name: string, object: Readonly<Record<string, unknown>>): ConditionOutcome[] | undefined {
    const trigger = this.config.triggers.get(name);
    if (!trigger) return undefined;
    const vars = this.expressionVars(object);
    return trigger.conditions.map((c) => this.runCondition(name, c, vars));
  }

  /**
   * Every decision for an object: its subscriptions × the conditions of their triggers. `extra` adds
   * variables (the engine adds `herald.action`).
   */
  plan(object: Readonly<Record<string, unknown>>, extra: Readonly<Record<string, unknown>> = {}): Plan {
    const { subscriptions, problems, undefinedServices } = resolveSubscriptions(this.config, object, this.annotationPrefix);
    const undefinedNames: Plan['undefinedNames'] = new Map([...undefinedServices].map(([problem, name]) => [problem, { kind: 'service' as const, name }]));
    const decisions: Decision[] = [];
    if (subscriptions.length === 0) return { decisions, problems, undefinedNames };
    const configNamespace = this.configNamespace;
    const outcomes = new Map<string, ConditionOutcome[]>();
    const vars = this.expressionVars(object, extra);
    for (const { trigger, destination } of subscriptions) {
      let results = outcomes.get(trigger);
      if (!results) {
        const t = this.config.triggers.get(trigger);
        if (!t) {
          const problem = `trigger "${trigger}" is not defined in the config`;
          problems.push(problem);
          undefinedNames.set(problem, { kind: 'trigger', name: trigger });
          outcomes.set(trigger, []);
          continue;
        }
        results = t.conditions.map((c) => this.runCondition(trigger, c, vars));
        outcomes.set(trigger, results);
        for (const r of results) if (r.problem) problems.push(`trigger.${trigger}[${r.index}]: ${r.problem}`);
      }
      // A condition sending a template that is not loaded (missing, or never loaded cleanly) is still
      // planned, as in Argo: its send fails at render time and is dead-lettered with the reason.
      for (const condition of results) {
        decisions.push({
          trigger,
          condition,
          destination: configNamespace ? { ...destination, configNamespace } : destination,
          stateKey: stateKey({ trigger, conditionKey: condition.key, service: destination.service, recipient: destination.recipient, oncePer: condition.oncePer, configNamespace }),
          triggered: condition.triggered,
          oncePer: this.config.triggers.get(trigger)!.conditions[condition.index]!.oncePer !== undefined,
        });
      }
    }
    return { decisions, problems, undefinedNames };
  }

  /**
   * Renders a decision's templates for its destination: `message` plus the block of its service type
   * (`webhook`, `email`…), or every block when `allBlocks` is set.
   */
  render(
    templates: readonly string[],
    object: Readonly<Record<string, unknown>>,
    destination: Destination,
    allBlocks = false,
    extra: Readonly<Record<string, unknown>> = {},
  ): RenderedNotification {
    const compiled = templates.map((name) => {
      const t = this.config.templates.get(name);
      // The config's load refuses a `send` naming no template; a caller naming one itself (the CLI) gets here.
      if (!t) throw new TemplateError(EvaluatorErrorCodes.templateRuntime, `template.${name}`, 'is not defined in the config');
      return t;
    });
    // As the engine: `serviceType` is the service's name (`hook` of service.webhook.hook).
    const vars = {
      ...extra,
      [this.varName]: object,
      context: this.config.context,
      time: this.host.time,
      strings: this.host.strings,
      ...hostVariables(object, this.config, destination.service),
      recipient: destination.recipient,
      serviceType: destination.service,
    };
    return renderTemplates(compiled, vars, allBlocks ? undefined : new Set(['message', destination.serviceType]));
  }

  private expressionVars(object: Readonly<Record<string, unknown>>, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
    return { ...extra, [this.varName]: object, time: this.host.time, strings: this.host.strings, ...hostVariables(object, this.config, '') };
  }

  private runCondition(trigger: string, c: TriggerCondition, vars: Record<string, unknown>): ConditionOutcome {
    const when = evaluateCondition(c.whenExpression, vars);
    let problem = when.error ? `when: ${when.error.message}` : undefined;
    let oncePer: string | undefined;
    if (when.value && c.oncePerExpression) {
      try {
        oncePer = formatOncePer(c.oncePerExpression.evaluate(vars));
      } catch (err) {
        // As the engine: an oncePer that fails is "" (the state key has no oncePer part); the condition still fires.
        problem = `oncePer: ${(err as Error).message}`;
        oncePer = '';
      }
    }
    return { trigger, index: c.index, key: c.key, when: c.when, triggered: when.value, oncePer, templates: c.send, problem };
  }
}
