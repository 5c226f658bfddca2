import Handlebars from 'handlebars';
import { checkOutput, spendSteps } from './render-budget.ts';
import { isTrue } from './template-values.ts';
import type { GoHandlebarsProgram, ProgramEntry, ProgramFrame } from './go-handlebars-program.ts';

/**
 * The handlebars environment that runs translated Go templates: its own instance with only the four
 * Herald helpers (none of handlebars' built-ins, no partials), compiled strictly and without escaping,
 * with handlebars' prototype-access protections left on.
 */

const env = Handlebars.create();
for (const name of Object.keys(env.helpers)) env.unregisterHelper(name);

function entry(frame: ProgramFrame, id: number): ProgramEntry {
  const found = frame.entries[id];
  if (found === undefined) throw new Error(`template program has no entry #${id}`);
  return found;
}

function evaluate(frame: ProgramFrame, id: number): unknown {
  spendSteps(1);
  const found = entry(frame, id);
  if (found.kind !== 'if' && found.kind !== 'with') throw new Error(`template program entry #${id} is not a condition`);
  return found.evaluate(frame);
}

env.registerHelper('_act', function (this: ProgramFrame, id: number): string {
  const found = entry(this, id);
  if (found.kind !== 'action') throw new Error(`template program entry #${id} is not an action`);
  spendSteps(1);
  return found.print(this);
});

env.registerHelper('_if', function (this: ProgramFrame, id: number, options: Handlebars.HelperOptions): string {
  return isTrue(evaluate(this, id)) ? options.fn(this) : options.inverse(this);
});

env.registerHelper('_with', function (this: ProgramFrame, id: number, options: Handlebars.HelperOptions): string {
  const value = evaluate(this, id);
  if (!isTrue(value)) return options.inverse(this);
  const frame: ProgramFrame = { dot: value, slots: this.slots, entries: this.entries };
  return options.fn(frame);
});

env.registerHelper('_range', function (this: ProgramFrame, id: number, options: Handlebars.HelperOptions): string {
  const range = entry(this, id);
  if (range.kind !== 'range') throw new Error(`template program entry #${id} is not a range`);
  spendSteps(1);
  const items = range.items(range.evaluate(this));
  if (items.length === 0) return options.inverse(this);
  const [first, second] = range.decl;
  let out = '';
  for (const [key, value] of items) {
    // One variable gets the element; two get the index (or key) and the element.
    if (second !== undefined) {
      this.slots[first ?? 0] = key;
      this.slots[second] = value;
    } else if (first !== undefined) {
      this.slots[first] = value;
    }
    spendSteps(1);
    out += options.fn({ dot: value, slots: this.slots, entries: this.entries } satisfies ProgramFrame);
    checkOutput(out.length);
  }
  return out;
});

const COMPILE_OPTIONS: CompileOptions = {
  data: false,
  noEscape: true,
  strict: true,
  knownHelpers: { _act: true, _if: true, _with: true, _range: true },
  knownHelpersOnly: true,
  ignoreStandalone: true,
  preventIndent: true,
};

export const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = Object.freeze({
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
});

export type GoRender = (root: unknown) => string;

/**
 * Checks now (not on first render), so a bad program fails at config load: `precompile` runs the same
 * compiler as `compile`, whose public API compiles lazily on the first call.
 */
export function compileGoHandlebars(program: GoHandlebarsProgram): GoRender {
  env.precompile(program.ast, COMPILE_OPTIONS);
  const template = env.compile(program.ast, COMPILE_OPTIONS);
  const { entries, slotCount } = program;
  return (root) => {
    const slots: unknown[] = new Array<unknown>(slotCount);
    slots[0] = root;
    const frame: ProgramFrame = { dot: root, slots, entries };
    return template(frame, RUNTIME_OPTIONS);
  };
}
