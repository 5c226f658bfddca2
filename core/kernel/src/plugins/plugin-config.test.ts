import { describe, expect, it } from 'vitest';
import { isSecret, secret, secretRegistry, z } from '@herald/plugin-sdk';
import { redactSecrets, validatePluginConfig } from './plugin-config.ts';

const schema = z.strictObject({
  url: z.url(),
  auth: z.strictObject({ user: z.string(), password: secret(z.string()) }).optional(),
  timeoutMs: z.number().int().positive().default(5_000),
});

describe('plugin options', () => {
  it('applies the schema defaults', () => {
    expect(validatePluginConfig('webhook', 0, schema, { url: 'http://127.0.0.1:8080/' })).toEqual({ url: 'http://127.0.0.1:8080/', timeoutMs: 5_000 });
  });

  it('names every bad key under plugins[i].options', () => {
    expect(() => validatePluginConfig('webhook', 2, schema, { url: 'not a url', auth: { user: 'u' }, retry: true })).toThrow(
      'plugin "webhook": invalid options: plugins[2].options.url: Invalid URL; plugins[2].options.auth.password: Invalid input: expected string, received undefined; plugins[2].options.retry: unknown key',
    );
  });

  it('takes environment overrides as written where the schema wants text', () => {
    const envText = new Map([['plugins[1].options.auth.password', '0123'], ['plugins[1].options.url', 'http://x/']]);
    const options = { url: 'http://x/', auth: { user: 'u', password: 123 } };
    expect(validatePluginConfig('webhook', 1, schema, options, envText)).toMatchObject({ auth: { password: '0123' } });
    expect(() => validatePluginConfig('webhook', 1, schema, options)).toThrow('plugins[1].options.auth.password: Invalid input: expected string, received number');
  });

  it('redacts fields marked secret, however deep', () => {
    const value = { url: 'http://x/', auth: { user: 'u', password: 'hunter2' }, timeoutMs: 1 };
    expect(redactSecrets(schema, value)).toEqual({ url: 'http://x/', auth: { user: 'u', password: '[redacted]' }, timeoutMs: 1 });
    expect(value.auth.password).toBe('hunter2');
  });

  describe('redaction', () => {
    const token = secret(z.string());
    const nested = z.strictObject({
      name: z.string(),
      token: token.optional(),
      servers: z.array(z.strictObject({ host: z.string(), password: secret(z.string()) })).default([]),
      byTeam: z.record(z.string(), token),
      tuple: z.tuple([z.string(), token]).optional(),
      either: z.union([token, z.number()]).optional(),
      defaulted: secret(z.string()).default('changeme'),
      piped: z.preprocess((v) => (v === null ? undefined : v), z.strictObject({ key: secret(z.string()) }).optional()),
      self: z.lazy(() => z.strictObject({ key: secret(z.string()) })).optional(),
    });

    it.each([
      ['a nested secret', { name: 'n', piped: { key: 'k' } }, { name: 'n', piped: { key: '[redacted]' } }],
      ['an optional secret that is set', { name: 'n', token: 't' }, { name: 'n', token: '[redacted]' }],
      ['an optional secret that is unset', { name: 'n' }, { name: 'n' }],
      ['secrets inside arrays', { name: 'n', servers: [{ host: 'a', password: 'p1' }, { host: 'b', password: 'p2' }] }, { name: 'n', servers: [{ host: 'a', password: '[redacted]' }, { host: 'b', password: '[redacted]' }] }],
      ['secrets inside records', { name: 'n', byTeam: { red: 'r', blue: 'b' } }, { name: 'n', byTeam: { red: '[redacted]', blue: '[redacted]' } }],
      ['a secret inside a tuple', { name: 'n', tuple: ['visible', 's'] }, { name: 'n', tuple: ['visible', '[redacted]'] }],
      ['the secret branch of a union', { name: 'n', either: 's' }, { name: 'n', either: '[redacted]' }],
      ['not the plain branch of a union', { name: 'n', either: 7 }, { name: 'n', either: 7 }],
      ['a secret with a default', { name: 'n', defaulted: 'x' }, { name: 'n', defaulted: '[redacted]' }],
      ['a secret behind z.lazy', { name: 'n', self: { key: 'k' } }, { name: 'n', self: { key: '[redacted]' } }],
    ])('redacts %s', (_case, value, expected) => {
      expect(redactSecrets(nested, value)).toEqual(expected);
    });

    it('leaves fields not marked secret, and the value itself, untouched', () => {
      const value = { name: 'visible', servers: [{ host: 'h', password: 'p' }], byTeam: {} };
      expect(redactSecrets(nested, value)).toEqual({ name: 'visible', servers: [{ host: 'h', password: '[redacted]' }], byTeam: {} });
      expect(value.servers[0]!.password).toBe('p');
    });

    it('redacts a whole value whose schema is a secret', () => {
      expect(redactSecrets(token, 'abc')).toBe('[redacted]');
      expect(redactSecrets(z.string(), 'abc')).toBe('abc');
    });

    it('sees the mark through the public registry and JSON Schema', () => {
      expect(isSecret(token)).toBe(true);
      expect(isSecret(z.string())).toBe(false);
      expect(secretRegistry.get(token)).toEqual({ 'x-herald-secret': true });
      expect(z.toJSONSchema(z.object({ token }), { metadata: secretRegistry })).toMatchObject({ properties: { token: { type: 'string', 'x-herald-secret': true } } });
    });
  });
});
