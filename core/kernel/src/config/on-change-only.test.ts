import { describe, expect, it } from 'vitest';
import { engineConfigSchema } from './engine-config.schema.ts';
import { onChangeOnly } from './on-change-only.ts';

const plugins = (...entries: Record<string, unknown>[]) => engineConfigSchema.parse({ plugins: entries });

describe('onChangeOnly: why herald.yaml\'s sources evaluate objects only when they change', () => {
  it('names the Kubernetes source without a resyncPeriod, and how to set one', () => {
    expect(onChangeOnly(plugins({ name: '@herald/source-kubernetes' }, { name: '@herald/sink-webhook' }))).toMatch(/^the Kubernetes source in herald\.yaml sets no resyncPeriod, .*\(set resyncPeriod, e\.g\. 1m/);
  });

  it('is undefined once every Kubernetes source resyncs', () => {
    expect(onChangeOnly(plugins({ name: '@herald/source-kubernetes', options: { resyncPeriod: '1m' } }))).toBeUndefined();
    // Two sources, one without: objects of the other are still evaluated only on change.
    expect(onChangeOnly(plugins({ name: '@herald/source-kubernetes', options: { resyncPeriod: '1m' } }, { name: '@herald/source-kubernetes' }))).toMatch(/sets no resyncPeriod/);
  });

  it('names the file source without a resyncPeriod', () => {
    expect(onChangeOnly(plugins({ name: '@herald/source-file' }))).toMatch(/^the file source in herald\.yaml sets no resyncPeriod, .*\(set resyncPeriod, e\.g\. 1m\)$/);
    expect(onChangeOnly(plugins({ name: '@herald/source-file', options: { resyncPeriod: '30s' } }))).toBeUndefined();
    // Beside a Kubernetes source that resyncs, its objects are still evaluated only on change.
    expect(onChangeOnly(plugins({ name: '@herald/source-kubernetes', options: { resyncPeriod: '1m' } }, { name: '@herald/source-file' }))).toMatch(/^the file source/);
  });

  it('says nothing of sources it does not know, or of none', () => {
    expect(onChangeOnly(plugins({ name: 'acme-herald-source' }, { name: '@herald/sink-webhook' }))).toBeUndefined();
    expect(onChangeOnly(plugins())).toBeUndefined();
  });
});
