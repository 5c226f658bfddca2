import type { FunctionTable } from './function-types.ts';
import { FunctionError } from './template-errors.ts';

/**
 * sprig's semver and semverCompare (Masterminds/semver v3): a version is `v1.2.3-pre+meta`, missing minor
 * and patch read as 0; constraints are `||` alternatives of `,`/space separated comparisons with the
 * operators = != > < >= <= ~ ^, `x`/`*` wildcards and `a - b` ranges. A pre-release version satisfies only
 * comparisons that name a pre-release.
 */

const VERSION = /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Masterminds/semver's *Version, with its Go methods for templates (`(semver "1.2.3").Major`). */
export class GoSemver {
  readonly #major: number;
  readonly #minor: number;
  readonly #patch: number;
  readonly #prerelease: string;
  readonly #metadata: string;
  readonly #original: string;

  constructor(text: string) {
    const m = VERSION.exec(text);
    if (m === null) throw new FunctionError('Invalid Semantic Version');
    this.#major = Number(m[1]);
    this.#minor = Number(m[2] ?? 0);
    this.#patch = Number(m[3] ?? 0);
    this.#prerelease = m[4] ?? '';
    this.#metadata = m[5] ?? '';
    this.#original = text;
    Object.freeze(this);
  }

  Major(): number {
    return this.#major;
  }

  Minor(): number {
    return this.#minor;
  }

  Patch(): number {
    return this.#patch;
  }

  Prerelease(): string {
    return this.#prerelease;
  }

  Metadata(): string {
    return this.#metadata;
  }

  Original(): string {
    return this.#original;
  }

  String(): string {
    return `${this.#major}.${this.#minor}.${this.#patch}${this.#prerelease === '' ? '' : `-${this.#prerelease}`}${this.#metadata === '' ? '' : `+${this.#metadata}`}`;
  }

  /** Semantic version order: numbers, then a pre-release before its release, identifiers compared as semver says. */
  Compare(other: GoSemver): number {
    const parts: [number, number][] = [[this.#major, other.#major], [this.#minor, other.#minor], [this.#patch, other.#patch]];
    for (const [a, b] of parts) if (a !== b) return a < b ? -1 : 1;
    return comparePrerelease(this.#prerelease, other.#prerelease);
  }
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1;
  if (b === '') return -1;
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^[0-9]+$/.test(x);
    const ny = /^[0-9]+$/.test(y);
    if (nx && ny) return Number(x) < Number(y) ? -1 : 1;
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

interface Bound {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: string;
  /** How many of major.minor.patch were written as numbers (a wildcard or a missing part ends them). */
  readonly given: number;
}

const BOUND = /^v?([0-9]+|[xX*])(?:\.([0-9]+|[xX*]))?(?:\.([0-9]+|[xX*]))?(?:-([0-9A-Za-z-.]+))?(?:\+[0-9A-Za-z-.]+)?$/;

function bound(text: string): Bound {
  const m = BOUND.exec(text);
  if (m === null) throw new FunctionError(`improper constraint: ${text}`);
  const parts = [m[1], m[2], m[3]];
  let given = 0;
  while (given < 3 && parts[given] !== undefined && /^[0-9]+$/.test(parts[given] ?? '')) given++;
  const [major = 0, minor = 0, patch = 0] = parts.map((p, i) => (i < given ? Number(p) : 0));
  return { major, minor, patch, prerelease: m[4] ?? '', given };
}

function version(b: Bound): GoSemver {
  return new GoSemver(`${b.major}.${b.minor}.${b.patch}${b.prerelease === '' ? '' : `-${b.prerelease}`}`);
}

/** The smallest version above every version the first `given` parts allow. */
function ceiling(b: Bound, keep: number): GoSemver {
  if (keep <= 0) return new GoSemver(`${Number.MAX_SAFE_INTEGER}.0.0`);
  if (keep === 1) return new GoSemver(`${b.major + 1}.0.0-0`);
  if (keep === 2) return new GoSemver(`${b.major}.${b.minor + 1}.0-0`);
  return new GoSemver(`${b.major}.${b.minor}.${b.patch + 1}-0`);
}

function check(op: string, b: Bound, v: GoSemver): boolean {
  const low = version(b);
  const cmp = v.Compare(low);
  switch (op) {
    case '':
    case '=':
      return b.given === 3 ? cmp === 0 : cmp >= 0 && v.Compare(ceiling(b, b.given)) < 0;
    case '!=':
      return b.given === 3 ? cmp !== 0 : !(cmp >= 0 && v.Compare(ceiling(b, b.given)) < 0);
    case '>':
      return b.given === 3 ? cmp > 0 : v.Compare(ceiling(b, b.given)) >= 0;
    case '<':
      return cmp < 0;
    case '>=':
      return cmp >= 0;
    case '<=':
    case '=<':
      return b.given === 3 ? cmp <= 0 : v.Compare(ceiling(b, b.given)) < 0;
    case '~':
    case '~>':
      return cmp >= 0 && v.Compare(ceiling(b, b.given >= 2 ? 2 : 1)) < 0;
    case '^': {
      const keep = b.major > 0 || b.given < 2 ? 1 : b.minor > 0 || b.given < 3 ? 2 : 3;
      return cmp >= 0 && v.Compare(ceiling(b, keep)) < 0;
    }
    default:
      throw new FunctionError(`improper constraint: ${op}`);
  }
}

const COMPARISON = /^(!=|>=|<=|=<|~>|[=><~^])?\s*(\S+)$/;

function satisfies(constraint: string, v: GoSemver): boolean {
  return constraint.split('||').some((alternative) => {
    const text = alternative
      .trim()
      .replace(/(\S+)\s+-\s+(\S+)/g, '>=$1 <=$2')
      .replace(/(!=|>=|<=|=<|~>|[=><~^])\s+/g, '$1');
    const comparisons = text
      .split(/[\s,]+/)
      .filter((t) => t !== '')
      .map((part): [string, Bound] => {
        const m = COMPARISON.exec(part);
        if (m === null) throw new FunctionError(`improper constraint: ${alternative.trim()}`);
        return [m[1] ?? '', bound(m[2] ?? '')];
      });
    if (comparisons.length === 0) throw new FunctionError(`improper constraint: ${constraint}`);
    // A pre-release version is considered only by comparisons that name a pre-release.
    if (v.Prerelease() !== '' && !comparisons.some(([, b]) => b.prerelease !== '')) return false;
    return comparisons.every(([op, b]) => check(op, b, v));
  });
}

export const sprigSemverFunctions: FunctionTable = {
  semver: { params: ['string'], fn: ([text]) => new GoSemver(text as string) },
  semverCompare: { params: ['string', 'string'], fn: ([constraint, text]) => satisfies(constraint as string, new GoSemver(text as string)) },
};
