import { describe, expect, it } from 'vitest';
import { displayUrl, scrub } from './redact.ts';
import { backoffMs, isRetryableStatus, parseRetryAfter } from './retry.ts';
import { joinUrl } from './webhook-request.ts';

describe('joinUrl (Argo’s rule: one slash between url and a non-empty path)', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['http://webhook.default:8080/webhook', '/', 'http://webhook.default:8080/webhook/'],
    ['http://h/webhook/', '/x', 'http://h/webhook/x'],
    ['http://h/webhook', 'x', 'http://h/webhook/x'],
    ['http://h', '/x', 'http://h/x'],
    ['http://h/webhook//', '//x', 'http://h/webhook/x'],
    ['http://h/webhook', '', 'http://h/webhook'],
    ['http://h/webhook', undefined, 'http://h/webhook'],
    // Plain text concatenation, as in Argo: a query in the service url ends up before the path.
    ['http://h/build?token=t', '/x', 'http://h/build?token=t/x'],
  ];
  it.each(cases)('%j + %j = %j', (url, path, joined) => {
    expect(joinUrl(url, path)).toBe(joined);
  });
});

describe('retry helpers', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['2', '5'], now)).toBe(2_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, within [retryWaitMin, retryWaitMax]', () => {
    const lowest = () => 0;
    const highest = () => 0.999999;
    expect([0, 1, 2, 3].map((n) => backoffMs(n, 1_000, 5_000, highest))).toEqual([2_000, 4_000, 5_000, 5_000]);
    expect([0, 1, 2, 3].map((n) => backoffMs(n, 1_000, 5_000, lowest))).toEqual([1_000, 1_000, 1_000, 1_000]);
    for (let n = 0; n < 50; n++) {
      const wait = backoffMs(n % 8, 1_000, 5_000);
      expect(wait).toBeGreaterThanOrEqual(1_000);
      expect(wait).toBeLessThanOrEqual(5_000);
    }
    // retryWaitMin above retryWaitMax: retryWaitMax wins, as in Argo.
    expect(backoffMs(0, 9_000, 2_000, highest)).toBe(2_000);
    expect(backoffMs(3, 0, 0, highest)).toBe(0);
  });

  it('retries 408, 425, 429 and 5xx but 501', () => {
    expect([200, 400, 404, 408, 425, 429, 499, 500, 501, 503, 599, 600].filter(isRetryableStatus)).toEqual([408, 425, 429, 500, 503, 599]);
  });
});

describe('what Herald shows of a URL', () => {
  const cases: Array<[string, string]> = [
    ['https://u:p@api.github.com/repos/acme/app/statuses/3f1c2d', 'https://api.github.com/repos/acme/app/statuses/3f1c2d'],
    ['https://hooks.slack.com/services/T0001/B0001/abcdefGHIJ123456klmn', 'https://hooks.slack.com/services/T0001/B0001/***'],
    ['http://jenkins:8080/job/deploy/build?token=s3cret&cause=', 'http://jenkins:8080/job/deploy/build?token=***&cause='],
    ['http://h/x?flag', 'http://h/x?flag'],
    ['http://webhook.default:8080/webhook/', 'http://webhook.default:8080/webhook/'],
  ];
  it.each(cases)('%s is shown as %s', (url, shown) => {
    expect(displayUrl(new URL(url))).toBe(shown);
  });

  it('scrubs secrets from text, longest first, leaving short values alone', () => {
    expect(scrub('auth=Bearer abcdef123 and abcdef123', ['Bearer abcdef123', 'abcdef123', 'x'])).toBe('auth=*** and ***');
    expect(scrub('x marks', ['x'])).toBe('x marks');
  });
});
