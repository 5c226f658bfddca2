import { describe, expect, it } from 'vitest';
import { conditionKey, idempotencyKey, stateKey } from './state-keys.ts';

describe('condition and state keys (Argo format)', () => {
  it.each([
    // The key Argo logged for the reference scenario.
    [0, "pod.status.phase in ['Running']", '[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go'],
    [2, "pod.status.phase in ['Running']", '[2].jS5fTrIQi8Q4Q5uceLlcAF3t4Go'],
    [0, '', '[0].2jmj7l5rSw0yVb_vlWAYkK_YBwk'],
  ])('condition %i of %j → %s', (index, when, key) => {
    expect(conditionKey(index, when)).toBe(key);
  });

  it.each([
    [{ trigger: 'on-pod-ready', conditionKey: '[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go', service: 'webhook', recipient: '' }, 'on-pod-ready:[0].jS5fTrIQi8Q4Q5uceLlcAF3t4Go:webhook:'],
    [{ trigger: 't', conditionKey: '[1].x', service: 'slack', recipient: 'alerts', oncePer: 'abc123' }, 'abc123:t:[1].x:slack:alerts'],
    [{ trigger: 't', conditionKey: '[1].x', service: 'slack', recipient: 'alerts', oncePer: '' }, 't:[1].x:slack:alerts'],
    [{ trigger: 't', conditionKey: '[0].x', service: 's', recipient: 'r', configNamespace: 'team-a' }, 'team-a:t:[0].x:s:r'],
    // Argo's StateItemKey: the namespace first, the oncePer value in front of it.
    [{ trigger: 't', conditionKey: '[0].x', service: 's', recipient: 'r', configNamespace: 'team-a', oncePer: 'v2' }, 'v2:team-a:t:[0].x:s:r'],
  ])('state key %j → %s', (parts, key) => {
    expect(stateKey(parts)).toBe(key);
  });

  it('idempotency keys are stable per (uid, key) and differ otherwise', () => {
    const a = idempotencyKey('uid-1', 'on-pod-ready:[0].x:webhook:');
    expect(a).toBe(idempotencyKey('uid-1', 'on-pod-ready:[0].x:webhook:'));
    expect(a).not.toBe(idempotencyKey('uid-2', 'on-pod-ready:[0].x:webhook:'));
    expect(a).not.toBe(idempotencyKey('uid-1', 'on-pod-ready:[0].x:webhook:a'));
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
