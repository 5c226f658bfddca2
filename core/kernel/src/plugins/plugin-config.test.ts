import { describe, expect, it } from 'vitest';
import { secret, z } from '@herald/plugin-sdk';
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
});
