import { describe, expect, it } from 'vitest';
import { olderVersion } from './resource-version.ts';

describe('olderVersion: resourceVersions compared as the decimal integers they are', () => {
  it.each([
    ['9', '10', true],
    ['10', '9', false],
    ['10', '10', false],
    ['123456789012345678901', '123456789012345678902', true],
    ['0', '5', false],
    ['007', '8', false],
    ['abc', '5', false],
    [undefined, '5', false],
    ['5', undefined, false],
  ])('%s older than %s: %s', (a, b, older) => {
    expect(olderVersion(a, b)).toBe(older);
  });
});
