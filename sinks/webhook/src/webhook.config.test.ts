import { describe, expect, it } from 'vitest';
import { isSecret, type z } from '@herald/plugin-sdk';
import { webhookPluginConfigSchema, webhookServiceConfigSchema } from './webhook.config.ts';

/** Every issue as `path: message`, the way Herald reports them. */
function issues(input: unknown): string[] {
  const result = webhookServiceConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => `${[...i.path, k].join('.')}: unknown key`) : [`${i.path.join('.')}: ${i.message}`]));
}

describe('webhook service options', () => {
  it('applies Argo’s defaults and Herald’s', () => {
    expect(webhookServiceConfigSchema.parse({ url: 'http://webhook.default:8080/webhook' })).toEqual({
      url: 'http://webhook.default:8080/webhook',
      headers: [],
      insecureSkipVerify: false,
      retryMax: 3,
      retryWaitMin: 1_000,
      retryWaitMax: 5_000,
      maxConnsPerHost: 0,
    });
  });

  it('takes a full Argo service entry, transport options and empty YAML values included', () => {
    const parsed = webhookServiceConfigSchema.parse({
      url: 'https://api.github.com',
      headers: [{ name: 'Authorization', value: 'token abc' }],
      basicAuth: { username: 'u', password: 'p' },
      insecureSkipVerify: true,
      retryMax: 5,
      retryWaitMin: '500ms',
      retryWaitMax: '1m30s',
      maxIdleConns: 100,
      maxIdleConnsPerHost: 10,
      maxConnsPerHost: 50,
      idleConnTimeout: '90s',
      timeout: '2.5s',
    });
    expect(parsed).toMatchObject({ retryWaitMin: 500, retryWaitMax: 90_000, idleConnTimeout: 90_000, timeout: 2_500, maxConnsPerHost: 50 });
    expect(webhookServiceConfigSchema.parse({ url: 'http://x', headers: null, basicAuth: null, retryMax: null })).toMatchObject({ headers: [], retryMax: 3 });
  });

  it('parses what it produced again to the same options', () => {
    const once = webhookServiceConfigSchema.parse({ url: 'http://x', retryWaitMin: '2s', timeout: '3s', headers: [{ name: 'a', value: 'b' }] });
    expect(webhookServiceConfigSchema.parse(once)).toEqual(once);
  });

  const invalid: Array<[string, unknown, string]> = [
    ['an unknown key, by name', { url: 'http://x', retryMaxx: 3 }, 'retryMaxx: unknown key'],
    ['an unknown key in basicAuth', { url: 'http://x', basicAuth: { username: 'u', password: 'p', token: 't' } }, 'basicAuth.token: unknown key'],
    ['a missing url', {}, 'url: Invalid input: expected string, received undefined'],
    ['a url that is not one', { url: 'webhook.default:8080/x y' }, 'url: must be an http or https URL, not webhook.default:'],
    ['a relative url', { url: '/webhook' }, 'url: is not an absolute URL (e.g. https://example.com/hook)'],
    ['a non-http url', { url: 'ftp://files.example.com' }, 'url: must be an http or https URL, not ftp:'],
    ['a header name with a space', { url: 'http://x', headers: [{ name: 'X Token', value: 'v' }] }, 'headers.0.name: is not a valid HTTP header name'],
    ['a header value with a line break', { url: 'http://x', headers: [{ name: 'X', value: 'a\r\nInjected: 1' }] }, 'headers.0.value: must not contain line breaks or NUL'],
    ['a negative retryMax', { url: 'http://x', retryMax: -1 }, 'retryMax: Too small: expected number to be >=0'],
    ['a duration without unit', { url: 'http://x', retryWaitMin: '100' }, 'retryWaitMin: "100" is not a duration: missing unit after 100 (use e.g. 500ms, 10s, 5m, 1h30m)'],
    ['a negative duration', { url: 'http://x', retryWaitMax: '-1s' }, 'retryWaitMax: "-1s" is not a duration: it is negative (use e.g. 500ms, 10s, 5m, 1h30m)'],
    ['a zero timeout', { url: 'http://x', timeout: '0s' }, 'timeout: must be longer than 0'],
    [
      'a bare number Argo read as nanoseconds',
      { url: 'http://x', retryWaitMin: 1_000_000_000 },
      'retryWaitMin: 1000000000 is longer than 1h (a number is milliseconds; Argo read bare numbers as nanoseconds, so write a duration string such as "1s")',
    ],
  ];
  it.each(invalid)('rejects %s', (_name, input, message) => {
    expect(issues(input)).toContain(message);
  });

  it('marks header values and the basic-auth password secret', () => {
    const shape = webhookServiceConfigSchema.shape;
    const inner = (schema: z.ZodType): z.ZodType => {
      const def = (schema as unknown as { _zod: { def: { type: string; out?: z.ZodType; innerType?: z.ZodType } } })._zod.def;
      return def.type === 'pipe' ? inner(def.out!) : def.innerType ? inner(def.innerType) : schema;
    };
    const header = (inner(shape.headers) as unknown as z.ZodArray<z.ZodObject<{ value: z.ZodType }>>).element;
    const basicAuth = inner(shape.basicAuth) as unknown as z.ZodObject<{ password: z.ZodType; username: z.ZodType }>;
    expect(isSecret(header.shape.value)).toBe(true);
    expect(isSecret(basicAuth.shape.password)).toBe(true);
    expect(isSecret(basicAuth.shape.username)).toBe(false);
  });
});

describe('webhook plugin options', () => {
  it('has defaults and rejects unknown keys', () => {
    expect(webhookPluginConfigSchema.parse({})).toEqual({ timeout: 10_000, responseBodyExcerpt: 200, drainTimeout: 5_000 });
    expect(webhookPluginConfigSchema.safeParse({ timeot: '1s' }).success).toBe(false);
  });
});

describe('duration keys', () => {
  // The syntax itself is the SDK's (plugins/sdk/src/duration.test.ts); here: Go's syntax without days, as Argo reads these keys.
  const cases: Array<[string, number | string]> = [
    ['1m30s', 90_000], ['1.5s', 1_500], ['1500us', 2], ['1500µs', 2], ['+3s', 3_000], ['0', 0], [' 2m ', 120_000],
    ['1d', 'retryWaitMin: "1d" is not a duration: unknown unit "d" (use e.g. 500ms, 10s, 5m, 1h30m)'],
    ['1 s', 'retryWaitMin: "1 s" is not a duration: unknown unit " s" (use e.g. 500ms, 10s, 5m, 1h30m)'],
  ];
  it.each(cases)('retryWaitMin %j gives %j', (text, expected) => {
    if (typeof expected === 'number') expect(webhookServiceConfigSchema.parse({ url: 'http://x', retryWaitMin: text }).retryWaitMin).toBe(expected);
    else expect(issues({ url: 'http://x', retryWaitMin: text })).toEqual([expected]);
  });
});
