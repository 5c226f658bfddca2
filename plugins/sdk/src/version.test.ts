import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { SDK_VERSION } from './version.ts';

describe('SDK_VERSION', () => {
  it('is the version the package is published as, which the kernel checks plugins against', () => {
    expect(SDK_VERSION).toBe(pkg.version);
  });
});
