import { describe, expect, it } from 'vitest';
import { parseNotificationConfig } from '@herald/core-evaluator';
import type { ResourceEventData } from '@herald/plugin-sdk';
import { diffSends, simulateSends, type ReplayedEvent } from './replay-simulation.ts';

const config = (triggers: Record<string, string>, oncePer = false) =>
  parseNotificationConfig({
    data: {
      ...Object.fromEntries(Object.entries(triggers).map(([name, phase]) => [`trigger.${name}`, `- when: pod.status.phase == '${phase}'\n  send: [m]\n${oncePer ? '  oncePer: pod.metadata.name\n' : ''}`])),
      'template.m': 'message: hi',
      'service.webhook.hook': 'url: http://127.0.0.1:1/',
      subscriptions: `- recipients: ["hook:"]\n  triggers: [${Object.keys(triggers).join(', ')}, on-pending, on-failed]\n`,
    },
  }).config!;

let seq = 0;
const event = (name: string, phase: string): ReplayedEvent => {
  const data: ResourceEventData = {
    action: 'MODIFIED',
    ref: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
    resourceVersion: String(++seq),
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, status: { phase } },
  };
  return { seq, time: new Date(1_700_000_000_000 + seq * 1000), data };
};
const options = { variables: {}, annotationPrefix: 'notifications.argoproj.io' };

describe('replay simulation', () => {
  it('sends on the edge only: once while the condition holds, again after it was false', () => {
    const events = [event('a', 'Pending'), event('a', 'Running'), event('a', 'Running'), event('a', 'Pending'), event('a', 'Running')];
    const sends = simulateSends(config({ 'on-running': 'Running' }), events, options);
    expect(sends.map((s) => [s.seq, s.trigger, s.destination, s.object])).toEqual([
      [events[1]!.seq, 'on-running', 'hook:', 'Pod default/a'],
      [events[4]!.seq, 'on-running', 'hook:', 'Pod default/a'],
    ]);
  });

  it('keeps oncePer keys when the condition turns false', () => {
    const events = [event('b', 'Running'), event('b', 'Pending'), event('b', 'Running')];
    expect(simulateSends(config({ 'on-running': 'Running' }, true), events, options)).toHaveLength(1);
  });

  it('diffs per trigger and destination: what only the candidate sends, and what only the current config sends', () => {
    const events = [event('c', 'Pending'), event('c', 'Running'), event('d', 'Failed')];
    const current = simulateSends(config({ 'on-running': 'Running', 'on-failed': 'Failed' }), events, options);
    const candidate = simulateSends(config({ 'on-running': 'Running', 'on-pending': 'Pending' }), events, options);
    expect(diffSends(current, candidate)).toEqual({
      added: [{ trigger: 'on-pending', destination: 'hook:', count: 1, objects: ['Pod default/c'], events: [events[0]!.seq] }],
      removed: [{ trigger: 'on-failed', destination: 'hook:', count: 1, objects: ['Pod default/d'], events: [events[2]!.seq] }],
    });
    expect(diffSends(current, current)).toEqual({ added: [], removed: [] });
  });
});
