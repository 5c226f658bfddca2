import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationSchema } from './duration.ts';
import { isDeliveryError } from './errors.ts';
import { secret } from './secret.ts';
import { serviceOptionsReader } from './service-options.ts';

const schema = z.strictObject({
  url: z.url(),
  token: secret(z.string().min(8, 'must be at least 8 characters')).optional(),
  timeout: durationSchema().default(5_000),
  headers: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
});
const read = serviceOptionsReader('acme', schema);

function refusal(config: unknown, name = 'acme'): Error {
  try {
    read({ type: 'acme', name, config });
  } catch (err) {
    return err as Error;
  }
  throw new Error('the options were accepted');
}

describe('serviceOptionsReader', () => {
  it("gives the schema's output: defaults filled, durations read", () => {
    expect(read({ type: 'acme', name: 'acme', config: { url: 'https://hooks.example/a', timeout: '1m' } })).toEqual({ url: 'https://hooks.example/a', timeout: 60_000 });
    expect(read({ type: 'acme', name: 'acme', config: { url: 'https://hooks.example/a' } })).toMatchObject({ timeout: 5_000 });
  });

  it('parses an options object once, however many notifications use it', () => {
    const config = { url: 'https://hooks.example/a' };
    const first = read({ type: 'acme', name: 'acme', config });
    expect(read({ type: 'acme', name: 'acme', config })).toBe(first);
    // Another object with the same content is parsed on its own.
    expect(read({ type: 'acme', name: 'acme', config: { ...config } })).not.toBe(first);
  });

  it('refuses for good, naming each key by its ConfigMap key and an unknown key by its name', () => {
    const err = refusal({ url: 'not a url', tokn: 'x', headers: [{ name: 'a', value: 'b', vlaue: 'c' }] }, 'pager');
    expect(isDeliveryError(err) && !err.retryable).toBe(true);
    expect(err.message).toMatch(/^acme "pager": invalid service options: /);
    const issues = err.message.replace(/^[^:]+: invalid service options: /, '').split('; ');
    expect(issues).toHaveLength(3);
    expect(issues).toContain('service.acme.pager.tokn: unknown key');
    expect(issues).toContain('service.acme.pager.headers.0.vlaue: unknown key');
    expect(issues.find((i) => i.startsWith('service.acme.pager.url: '))).toMatch(/url/i);
  });

  it('names `service.<type>` for the service named after its type', () => {
    expect(refusal({}).message).toMatch(/^acme "acme": invalid service options: service\.acme\.url: /);
    expect(refusal(undefined).message).toMatch(/^acme "acme": invalid service options: service\.acme: /);
  });

  it('says what is wrong with a value, never the value', () => {
    const err = refusal({ url: 'https://hooks.example/a', token: 'hunter2' });
    expect(err.message).toBe('acme "acme": invalid service options: service.acme.token: must be at least 8 characters');
    expect(err.message).not.toContain('hunter2');
  });

  it("masks the service's secrets in a message that quotes one", () => {
    const quoting = serviceOptionsReader('acme', z.strictObject({ channel: z.string().refine((v) => v.startsWith('#'), { error: (issue) => `"${String(issue.input)}" is not a channel` }) }));
    expect(() => quoting({ type: 'acme', name: 'acme', config: { channel: 's3cret-token' }, secrets: ['s3cret-token'] })).toThrow('acme "acme": invalid service options: service.acme.channel: "***" is not a channel');
  });
});
