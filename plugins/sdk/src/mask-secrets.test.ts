import { describe, expect, it } from 'vitest';
import { maskErrorSecrets, maskSecrets } from './mask-secrets.ts';

describe('maskSecrets', () => {
  it('break 6c: masks every value from the Secret, short or letters-only ones too', () => {
    expect(maskSecrets('POST https://hooks.example/services/abc/hunter answered 404', ['hunter', 'abc'])).toBe('POST https://hooks.example/services/***/*** answered 404');
  });

  it('masks a secret that contains another whole, and its URL-encoded form', () => {
    expect(maskSecrets('a=pass word b=pass%20word c=pass', ['pass', 'pass word'])).toBe('a=*** b=*** c=***');
  });

  it('leaves the text alone without secrets or with empty ones', () => {
    expect(maskSecrets('nothing to hide', undefined)).toBe('nothing to hide');
    expect(maskSecrets('nothing to hide', [''])).toBe('nothing to hide');
  });
});

describe('maskErrorSecrets', () => {
  it('masks the message and stack of an error and of its causes', () => {
    const err = new Error('sent to /hooks/abc', { cause: new Error('server said abc') });
    maskErrorSecrets(err, ['abc']);
    expect([err.message, (err.cause as Error).message]).toEqual(['sent to /hooks/***', 'server said ***']);
    expect(`${err.stack}${(err.cause as Error).stack}`).not.toContain('abc');
  });
});
