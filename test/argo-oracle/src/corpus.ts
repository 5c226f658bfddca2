import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import type { Destination, OracleCase } from './outcome.ts';

export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus');

/** The corpus parts, in the order they are reported. */
export const PARTS = ['catalog', 'rollouts', 'engine-tests', 'adversarial', 'real-world'] as const;

const DEFAULT_NOW = '2026-01-02T03:04:05Z';

interface CaseFile {
  preset?: 'argocd' | 'rollouts';
  /** A ConfigMap manifest (path relative to the corpus folder) whose data every case starts from. */
  configMapFile?: string;
  secret?: Record<string, string>;
  /** A folder under corpus/objects (`folder:name1,name2` picks some), or the objects themselves. */
  objects?: string | { name: string; object: Record<string, unknown> }[];
  destinations?: Destination[];
  now?: string;
  cases: ({ name: string; data?: Record<string, string> } & Omit<CaseFile, 'cases'>)[];
}

/** Every case of the corpus: corpus/<part>/*.yaml, each a list of cases sharing defaults. */
export function loadCorpus(): OracleCase[] {
  const cases: OracleCase[] = [];
  for (const part of PARTS) {
    for (const file of readdirSync(join(CORPUS_DIR, part)).filter((f) => f.endsWith('.yaml')).sort()) {
      const spec = parse(readFileSync(join(CORPUS_DIR, part, file), 'utf8')) as CaseFile;
      for (const c of spec.cases) {
        const manifest = c.configMapFile ?? spec.configMapFile;
        const configMap = { ...(manifest ? readConfigMapData(join(CORPUS_DIR, manifest)) : {}), ...(c.data ?? {}) };
        const preset = c.preset ?? spec.preset ?? 'argocd';
        cases.push({
          id: `${part}/${basename(file, '.yaml')}/${c.name}`,
          part,
          preset,
          configMap,
          secret: { ...(spec.secret ?? {}), ...(c.secret ?? {}) },
          now: c.now ?? spec.now ?? DEFAULT_NOW,
          objects: objectsOf(c.objects ?? spec.objects ?? preset),
          destinations: c.destinations ?? spec.destinations ?? destinationsOf(configMap),
        });
      }
    }
  }
  return cases;
}

/** The first ConfigMap's data in a multi-document manifest. */
export function readConfigMapData(path: string): Record<string, string> {
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const value = doc.toJS() as { kind?: string; data?: Record<string, string> } | null;
    if (value?.kind === 'ConfigMap') return value.data ?? {};
  }
  throw new Error(`${path}: no ConfigMap`);
}

const objectCache = new Map<string, { name: string; object: Record<string, unknown> }[]>();

function objectsOf(spec: NonNullable<CaseFile['objects']>): { name: string; object: Record<string, unknown> }[] {
  if (typeof spec !== 'string') return spec;
  // `argocd:synced-healthy,just-created` picks objects of a folder by name.
  const [folder, names] = spec.split(':') as [string, string | undefined];
  if (names !== undefined) return names.split(',').map((n) => objectsOf(folder).find((o) => o.name === n) ?? missingObject(spec, n));
  let objects = objectCache.get(spec);
  if (!objects) {
    const dir = join(CORPUS_DIR, 'objects', spec);
    objects = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => ({ name: basename(f, '.yaml'), object: parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown> }));
    objectCache.set(spec, objects);
  }
  return objects;
}

function missingObject(spec: string, name: string): never {
  throw new Error(`objects ${spec}: no object ${name}`);
}

/** One destination per `service.*` key (`service.<type>.<name>` is named `<name>`), else one console destination. */
function destinationsOf(data: Record<string, string>): Destination[] {
  const services = Object.keys(data)
    .filter((k) => k.startsWith('service.'))
    .map((k) => k.split('.'))
    .filter((parts) => parts.length === 2 || parts.length === 3)
    .map((parts) => parts[parts.length - 1]!);
  return services.length ? services.sort().map((service) => ({ service, recipient: 'recipient-1' })) : [{ service: 'console', recipient: 'stdout' }];
}
