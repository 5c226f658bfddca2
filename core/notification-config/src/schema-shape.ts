import { z } from 'zod';
import type { KeyShape } from './canonical-keys.ts';

const shapes = new WeakMap<z.ZodType, KeyShape | true>();

/** The field names a zod schema declares, for case-insensitive key matching of service options. */
export function keyShapeOfSchema(schema: z.ZodType): KeyShape | true {
  let shape = shapes.get(schema);
  if (shape === undefined) {
    shape = derive(schema, 0);
    shapes.set(schema, shape);
  }
  return shape;
}

function derive(schema: z.ZodType, depth: number): KeyShape | true {
  if (depth > 20) return true;
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    const fields: Record<string, KeyShape | true> = {};
    for (const [k, v] of Object.entries(s.shape as Record<string, z.ZodType>)) fields[k] = derive(v, depth + 1);
    return { fields };
  }
  if (s instanceof z.ZodArray) return { items: asShape(derive(s.element as z.ZodType, depth + 1)) };
  if (s instanceof z.ZodRecord) return { entries: asShape(derive(s.valueType as z.ZodType, depth + 1)) };
  return true;
}

const asShape = (s: KeyShape | true): KeyShape => (s === true ? {} : s);

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else break;
  }
  return s;
}
