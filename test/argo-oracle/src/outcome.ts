/** What one side (the engine or Herald) did with one case; both sides produce this shape so that they compare. */
export interface CaseOutcome {
  loaded: boolean;
  loadError?: string;
  /** object name → trigger name → its conditions, or the error that stopped the trigger. */
  triggers: Record<string, Record<string, TriggerOutcome>>;
  /** object name → template name → "service:recipient" → every rendered field, or the render error. */
  templates: Record<string, Record<string, Record<string, RenderOutcome>>>;
}

export interface TriggerOutcome {
  conditions?: { key: string; triggered: boolean; oncePer: string }[];
  error?: string;
}

export interface RenderOutcome {
  notification?: Record<string, unknown>;
  error?: string;
}

export interface Destination {
  service: string;
  recipient: string;
}

/** One case: a config, the objects it is run on and the destinations its templates are rendered for. */
export interface OracleCase {
  /** `<part>/<file>/<name>`. */
  id: string;
  part: string;
  preset: 'argocd' | 'rollouts';
  configMap: Record<string, string>;
  secret: Record<string, string>;
  /** RFC 3339 instant `time.Now()` returns on both sides. */
  now: string;
  objects: { name: string; object: Record<string, unknown> }[];
  destinations: Destination[];
}
