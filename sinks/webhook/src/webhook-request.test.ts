import { describe, expect, it } from 'vitest';
import { displayUrl } from './redact.ts';
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
});
