import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventJsonSchemas } from './events.ts';

// plugins/sdk/schemas/*.json are the envelopes' JSON Schemas for plugins in other languages. They are
// generated from the zod schemas; regenerate with `UPDATE_SCHEMAS=1 scripts/dev test unit`.
const dir = new URL('../schemas/', import.meta.url);

describe('published JSON Schemas', () => {
  it.each(Object.entries(eventJsonSchemas()))('schemas/%s.json matches the SDK', (type, schema) => {
    const file = new URL(`${type}.json`, dir);
    const text = `${JSON.stringify(schema, null, 2)}\n`;
    if (process.env.UPDATE_SCHEMAS === '1') writeFileSync(file, text);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
