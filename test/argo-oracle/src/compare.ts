import type { CaseOutcome, RenderOutcome, TriggerOutcome } from './outcome.ts';

/** One point where Herald did not do what the engine did. */
export interface Disagreement {
  /** `load`, `trigger <object>/<trigger>` or `render <object>/<template>/<service:recipient> <field>`. */
  where: string;
  engine: string;
  herald: string;
}

export interface Comparison {
  /** How many things were compared (load, each trigger, each rendered notification). */
  checks: number;
  disagreements: Disagreement[];
}

/** The service blocks the engine's Notification has (services.Notification's JSON keys). Herald's own extra blocks are not compared. */
const ENGINE_BLOCKS = new Set([
  'message',
  'awssqs',
  'gcppubsub',
  'email',
  'slack',
  'mattermost',
  'rocketchat',
  'teams',
  'teams-workflows',
  'webhook',
  'opsgenie',
  'github',
  'alertmanager',
  'googlechat',
  'pagerduty',
  'pagerdutyv2',
  'newrelic',
]);

/** Field defaults the engine's templaters fill in, which Herald's sinks apply at send time instead. */
const SENT_DEFAULTS: [string, string][] = [['slack.deliveryPolicy', 'Post']];

/** Fields the engine fills with time.Now() at render time (not the input's fixed clock). */
const WALL_CLOCK_FIELDS = ['alertmanager.startsAt'];

export function compareOutcomes(engine: CaseOutcome, herald: CaseOutcome): Comparison {
  const disagreements: Disagreement[] = [];
  let checks = 1;
  if (engine.loaded !== herald.loaded) {
    disagreements.push({ where: 'load', engine: engine.loaded ? 'loads' : `refuses: ${engine.loadError}`, herald: herald.loaded ? 'loads' : `refuses: ${herald.loadError}` });
    return { checks, disagreements };
  }
  if (!engine.loaded) return { checks, disagreements };
  for (const object of Object.keys(engine.triggers)) {
    const e = engine.triggers[object] ?? {};
    const h = herald.triggers[object] ?? {};
    for (const trigger of union(e, h)) {
      checks++;
      const diff = compareTrigger(e[trigger], h[trigger]);
      if (diff) disagreements.push({ where: `trigger ${object}/${trigger}`, ...diff });
    }
  }
  for (const object of Object.keys(engine.templates)) {
    const e = engine.templates[object] ?? {};
    const h = herald.templates[object] ?? {};
    for (const template of union(e, h)) {
      const ed = e[template];
      const hd = h[template];
      if (!ed || !hd) {
        checks++;
        disagreements.push({ where: `render ${object}/${template}`, engine: ed ? 'has the template' : 'has no such template', herald: hd ? 'has the template' : 'has no such template' });
        continue;
      }
      for (const destination of union(ed, hd)) {
        checks++;
        for (const diff of compareRender(ed[destination], hd[destination])) disagreements.push({ ...diff, where: `render ${object}/${template}/${destination}${diff.where}` });
      }
    }
  }
  return { checks, disagreements };
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function compareTrigger(e: TriggerOutcome | undefined, h: TriggerOutcome | undefined): Omit<Disagreement, 'where'> | undefined {
  const show = (t: TriggerOutcome | undefined) =>
    t === undefined ? 'no such trigger' : t.error !== undefined ? `error: ${t.error}` : (t.conditions ?? []).map((c) => `${c.key} triggered=${c.triggered} oncePer=${JSON.stringify(c.oncePer)}`).join('; ');
  const es = show(e);
  const hs = show(h);
  // Two errors agree (the trigger does not fire on either side); their words are each engine's own.
  if (e?.error !== undefined && h?.error !== undefined) return undefined;
  return es === hs ? undefined : { engine: es, herald: hs };
}

function compareRender(e: RenderOutcome | undefined, h: RenderOutcome | undefined): Disagreement[] {
  if (e?.error !== undefined || h?.error !== undefined || !e || !h) {
    if (e?.error !== undefined && h?.error !== undefined) return [];
    const show = (r: RenderOutcome | undefined) => (r === undefined ? 'not rendered' : r.error !== undefined ? `error: ${r.error}` : 'renders');
    return [{ where: '', engine: show(e), herald: show(h) }];
  }
  const ef = fields(e.notification ?? {}, false);
  const hf = fields(h.notification ?? {}, true);
  // Defaults the engine writes into the notification and Herald's sink applies when it sends: not a difference.
  for (const [path, value] of SENT_DEFAULTS) if (ef.get(path) === value && !hf.has(path)) ef.delete(path);
  // The engine stamps these with its wall clock when it renders: they cannot be compared.
  for (const path of WALL_CLOCK_FIELDS) if (!hf.has(path)) ef.delete(path);
  const out: Disagreement[] = [];
  for (const path of union(Object.fromEntries(ef), Object.fromEntries(hf))) {
    const ev = ef.get(path);
    const hv = hf.get(path);
    if (ev !== hv) out.push({ where: ` ${path}`, engine: ev === undefined ? '(absent)' : JSON.stringify(ev), herald: hv === undefined ? '(absent)' : JSON.stringify(hv) });
  }
  return out;
}

/**
 * Every leaf of a rendered notification as path → text. Empty values are absent (the engine's JSON omits
 * them and a service sends nothing for them); on Herald's side, blocks the engine does not have are left out.
 */
function fields(notification: Record<string, unknown>, onlyEngineBlocks: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: unknown, path: string) => {
    if (value === undefined || value === null || value === '' || value === false) return;
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    else out.set(path, typeof value === 'string' ? value : JSON.stringify(value));
  };
  for (const [block, value] of Object.entries(notification)) if (!onlyEngineBlocks || ENGINE_BLOCKS.has(block)) walk(value, block);
  return out;
}
