import type { z } from 'zod';
import type { Counter } from '@opentelemetry/api';
import { HeraldError, type Logger } from '@herald/plugin-sdk';
import type { ConfigCompilers } from './compilers.ts';
import { PartIssues, type IssueOrigin, type KeyPosition } from './config-issues.ts';
import { NotificationConfigErrorCodes } from './errors.ts';
import { configSnapshot, referenceIssues } from './config-snapshot.ts';
import type { ConfigIssue, NotificationConfig, SecretSource } from './notification-config.ts';
import { parseContext, parseService, parseSubscriptions, parseTemplate, parseTrigger, parseTriggerNames, serviceId } from './part-parsers.ts';
import type { Part, PartKind } from './part-map.ts';

export interface NotificationConfigInput {
  /** The ConfigMap's `data`. */
  data: Readonly<Record<string, string>>;
  /** The Secret's data, decoded: what `$name` references in service options resolve to. */
  secrets?: Readonly<Record<string, string>>;
  /** For messages: the file the ConfigMap came from and where each key is in it. */
  file?: string;
  positions?: ReadonlyMap<string, KeyPosition>;
}

/** The notification config in force, as its users see it. */
export interface NotificationConfigProvider {
  /** The config in force, or undefined before a first version was read. */
  current(): NotificationConfig | undefined;
  /** Calls `listener` with every new version. Returns an unsubscribe function. */
  onChange(listener: (config: NotificationConfig) => void): () => void;
  /** Where the config comes from, for messages: `configmap default/herald-notifications-cm`. */
  readonly origin: string;
}

/** A new version of one part that was refused: what `herald.system.config-rejected` announces. */
export interface ConfigRejection {
  origin: string;
  /** The ConfigMap key, e.g. `template.pod-ready`. */
  part: string;
  errors: string[];
  /** Whether an earlier version of the part keeps serving; otherwise the part is absent. */
  keptPrevious: boolean;
}

export interface NotificationConfigServiceOptions {
  origin: string;
  logger: Logger;
  /** Options schema of each service type a loaded sink delivers; `service.*` parts are checked against it. */
  serviceSchemas?: ReadonlyMap<string, z.ZodType>;
  /**
   * Service types a loaded sink delivers (listed in herald.yaml, whether or not this process runs the sink
   * role): a `service.*` part of any other type is refused, naming the sink that would deliver it.
   * Unset: every type is taken (tests, tools that load no plugins).
   */
  deliveredServiceTypes?: ReadonlySet<string>;
  /** Where the Secret lives: named in the secret references sinks outside Herald are given. */
  secretSource?: SecretSource;
  /** Template-block schema of each service type whose sink declares one; `template.<name>.<type>` is checked against it. */
  templateSchemas?: ReadonlyMap<string, z.ZodType>;
  /**
   * Why objects are evaluated only when they change, when they are, and what follows for a condition (see
   * onChangeOnly in core/kernel): a trigger condition that reads the clock is then a warning, `reads the clock
   * (time.Now()), but <this>`. Unset: no such warning.
   */
  onChangeOnly?: string;
  /** The evaluator's languages. Without them triggers and templates are never read (a sink process). */
  compilers?: ConfigCompilers;
  /**
   * Compile every trigger and template right after each reload, so their errors are reported at load time
   * (the evaluator). Otherwise each compiles the first time it is asked for.
   */
  eager?: boolean;
  /** Counts new part versions by outcome (`loaded`, `rejected`). */
  reloads?: Counter;
  /** Told about every refused part version, e.g. to announce it on the bus. */
  rejected?: (report: ConfigRejection) => void;
}

/**
 * The notification config as a service: every new version of the ConfigMap/Secret is split into parts
 * (one per key), and only parts whose text changed are read again. A part's new version that is broken
 * is refused alone, with errors naming its key: the part keeps serving its last good version (or stays
 * absent if it never had one), and every other part is unaffected. Services, subscriptions, default
 * triggers and context are read at once (cheap, no compiler); triggers and templates when first asked
 * for, or right after each reload when `eager`.
 */
export class NotificationConfigService implements NotificationConfigProvider {
  readonly #options: NotificationConfigServiceOptions;
  readonly #listeners = new Set<(config: NotificationConfig) => void>();
  #parts = new Map<string, Part<unknown>>();
  #current: NotificationConfig | undefined;
  #lastInput = '';
  #issues: ConfigIssue[] = [];
  /** Parts compiled so far (triggers and templates), for the load log. */
  #compiled = { triggers: 0, templates: 0 };

  constructor(options: NotificationConfigServiceOptions) {
    this.#options = options;
  }

  get origin(): string {
    return this.#options.origin;
  }

  current(): NotificationConfig | undefined {
    return this.#current;
  }

  onChange(listener: (config: NotificationConfig) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Takes a new version of the config; returns the issues of every part read so far (a lazy part not yet
   * asked for has none yet) plus those of references between parts.
   */
  reload(input: NotificationConfigInput): ConfigIssue[] {
    const fingerprint = JSON.stringify([input.data, input.secrets ?? {}]);
    if (fingerprint === this.#lastInput) return this.#issues;
    this.#lastInput = fingerprint;
    const origin: IssueOrigin = { file: input.file, positions: input.positions };
    const secrets = input.secrets ?? {};
    const keys = Object.keys(input.data);
    const templateNames = new Set(keys.filter((k) => k.startsWith('template.')).map((k) => k.slice('template.'.length)));
    const firstService = new Map<string, string>();
    for (const key of keys) {
      const id = key.startsWith('service.') ? serviceId(key) : undefined;
      if (id && !firstService.has(id.name)) firstService.set(id.name, key);
    }

    const previous = this.#parts;
    const parts = new Map<string, Part<unknown>>();
    const fresh: Part<unknown>[] = [];
    for (const [key, text] of Object.entries(input.data)) {
      const kind = kindOf(key);
      if (!kind) continue; // Other keys are ignored, as Argo ignores them.
      const name = key.slice(key.indexOf('.') + 1);
      const definedBy = (n: string) => (firstService.get(n) === key ? undefined : firstService.get(n));
      // What else a part's reading depends on: a changed secret re-reads services, a template added or
      // removed re-reads the triggers (their `send` must name existing templates).
      const context = kind === 'service' ? [secrets, definedBy(serviceId(key)?.name ?? '')] : kind === 'trigger' ? [...templateNames].sort() : [];
      const print = JSON.stringify([text, context]);
      const before = previous.get(key);
      if (before?.fingerprint === print) {
        parts.set(key, before);
        continue;
      }
      const issues = new PartIssues(key, origin);
      const read = (): unknown => {
        if (typeof text !== 'string') return issues.error(key, 'must be a string');
        if ((kind === 'trigger' || kind === 'template') && key.indexOf('.') === key.length - 1) return issues.error(key, `${kind} name is empty`);
        switch (kind) {
          case 'trigger':
            return parseTrigger(name, text, issues, this.#compilers(key), (t) => templateNames.has(t), this.#options.onChangeOnly);
          case 'template':
            return parseTemplate(name, text, issues, this.#compilers(key), this.#options.templateSchemas, this.#options.deliveredServiceTypes);
          case 'service':
            return parseService(key, text, issues, { secrets, serviceSchemas: this.#options.serviceSchemas, deliveredServiceTypes: this.#options.deliveredServiceTypes, secretSource: this.#options.secretSource, definedBy });
          case 'subscriptions':
            return parseSubscriptions(key, text, issues);
          case 'defaultTriggers':
            return parseTriggerNames(key, text, issues);
          case 'context':
            return parseContext(key, text, issues);
        }
      };
      const part: Part<unknown> = { key, kind, fingerprint: print, previous: before ? this.#lastGood(before) : undefined, issues, read };
      parts.set(key, part);
      fresh.push(part);
      // Triggers and templates need a compiler and are the expensive part: read when asked for.
      if ((kind !== 'trigger' && kind !== 'template') || (this.#options.eager && this.#options.compilers)) this.#read(part);
    }
    this.#parts = parts;
    this.#current = configSnapshot(parts, (part, lazy) => this.#read(part, lazy), secrets);
    const references = referenceIssues(this.#current, keys);
    this.#issues = [...[...parts.values()].flatMap((p) => (p.outcome ? p.issues.issues : [])), ...references];
    this.#report(fresh.filter((p) => p.outcome), references);
    const config = this.#current;
    this.#options.logger.info(
      {
        origin: this.origin,
        services: [...config.services.keys()],
        subscriptions: config.subscriptions.length,
        refused: fresh.filter((p) => p.issues.failed).map((p) => p.key),
        // Triggers and templates this process compiled so far: none in a sink process.
        compiled: { ...this.#compiled },
      },
      `notification config loaded from ${this.origin}`,
    );
    for (const listener of this.#listeners) listener(this.#current);
    return this.#issues;
  }

  #compilers(key: string): ConfigCompilers {
    const { compilers } = this.#options;
    if (!compilers) throw new HeraldError(NotificationConfigErrorCodes.notCompiled, `${key}: this process compiles no triggers or templates (it was given no compilers)`);
    return compilers;
  }

  /** Reads a part once (memoized); a lazy part read outside a reload is reported on its own. */
  #read<T>(part: Part<T>, lazy = false): T | undefined {
    if (!part.outcome) {
      const value = part.read() as T | undefined;
      part.outcome = { value: part.issues.failed ? undefined : value };
      if (part.kind === 'trigger') this.#compiled.triggers++;
      if (part.kind === 'template') this.#compiled.templates++;
      // Read on demand, outside a reload: reported on its own.
      if (lazy) this.#report([part as Part<unknown>], []);
    }
    return part.outcome.value ?? part.previous;
  }

  /** The version of a replaced part to fall back on; a lazy part never read is read now, if it can be. */
  #lastGood(part: Part<unknown>): unknown {
    if (!part.outcome && (part.kind === 'trigger' || part.kind === 'template') && !this.#options.compilers) return undefined;
    return this.#read(part);
  }

  /** Logs, counts and announces what new part versions brought. */
  #report(parts: readonly Part<unknown>[], references: readonly ConfigIssue[]): void {
    const { logger, origin, reloads, rejected } = this.#options;
    const warnings = [...parts.flatMap((p) => p.issues.issues), ...references].filter((i) => i.severity === 'warning').map(describe);
    for (const part of parts) {
      if (!part.issues.failed) {
        reloads?.add(1, { outcome: 'loaded' });
        continue;
      }
      const errors = part.issues.issues.filter((i) => i.severity === 'error').map(describe);
      const keptPrevious = part.previous !== undefined;
      reloads?.add(1, { outcome: 'rejected' });
      rejected?.({ origin, part: part.key, errors, keptPrevious });
      logger.error(
        { origin, part: part.key, errors, keptPrevious },
        `notification config in ${origin}: ${part.key} is broken; ${keptPrevious ? 'its previous version keeps serving' : 'it is left out until it is fixed'}`,
      );
    }
    if (warnings.length) logger.warn({ origin, warnings }, `notification config in ${origin} has warnings`);
  }
}

function kindOf(key: string): PartKind | undefined {
  if (key.startsWith('trigger.')) return 'trigger';
  if (key.startsWith('template.')) return 'template';
  if (key.startsWith('service.')) return 'service';
  if (key === 'subscriptions' || key === 'context') return key;
  if (key === 'defaultTriggers' || key.startsWith('defaultTriggers.')) return 'defaultTriggers';
  return undefined;
}

function describe(issue: ConfigIssue): string {
  const where = issue.file === undefined ? '' : ` (${issue.file}${issue.line === undefined ? '' : `:${issue.line}`})`;
  return `${issue.key}: ${issue.message}${where}`;
}
