import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from './label-selector.ts';

const labels = { app: 'web', tier: 'frontend', env: 'prod', 'app.kubernetes.io/name': 'shop' };

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app = web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['env in (prod, staging)', true],
    ['env in (dev)', false],
    ['env notin (dev,test)', true],
    ['env notin (prod)', false],
    ['missing notin (prod)', true],
    ['missing in (prod)', false],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['app.kubernetes.io/name=shop,env in (prod,staging),!legacy', true],
    ['app=', false],
  ])('%j matches: %s', (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it('matches objects without labels only with negative requirements', () => {
    expect(parseLabelSelector('!app').matches(undefined)).toBe(true);
    expect(parseLabelSelector('app').matches(undefined)).toBe(false);
  });

  it.each([
    ['app=web,', /empty requirement/],
    ['env in (prod', /unbalanced/],
    ['env in ()', /at least one value/],
    ['a b c', /cannot read/],
    ['-bad=x', /not a valid label key/],
    ['app=we b', /cannot read|not a valid/],
    ['app=-x', /not a valid label value/],
  ])('%j is an error', (selector, message) => {
    expect(() => parseLabelSelector(selector)).toThrow(message);
  });
});
