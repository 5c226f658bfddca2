import { describe, expect, it } from 'vitest';
import { parseNotificationConfig } from '@herald/core-evaluator';
import { resyncParts } from './resync-parts.ts';

const base = {
  'service.webhook.hook': 'url: http://127.0.0.1:1/x',
  'template.ready': 'message: Pod {{.pod.metadata.name}} is ready',
  'trigger.on-ready': "- when: pod.status.phase == 'Running'\n  send: [ready]",
  subscriptions: '- recipients: [hook]\n  triggers: [on-ready]',
  defaultTriggers: '- on-ready',
};

function parts(data: Record<string, string>) {
  const { config, issues } = parseNotificationConfig({ data });
  expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
  return resyncParts(config!);
}

describe('the parts of a notification config a resync is asked for', () => {
  it('names each trigger, the subscriptions, the default triggers and each service', () => {
    expect(Object.keys(parts(base)).sort()).toEqual(['defaultTriggers', 'service.hook', 'subscriptions', 'trigger.on-ready']);
  });

  it('changes with what decides whether an unchanged object gets a notification, not with what a notification says', () => {
    const before = parts(base);
    const changed = (data: Record<string, string>) =>
      Object.keys(before)
        .concat(Object.keys(parts(data)))
        .filter((k, i, all) => all.indexOf(k) === i && before[k] !== parts(data)[k])
        .sort();
    expect(changed({ ...base, 'trigger.on-ready': "- when: pod.status.phase == 'Succeeded'\n  send: [ready]" })).toEqual(['trigger.on-ready']);
    expect(changed({ ...base, 'trigger.on-ready': "- when: pod.status.phase == 'Running'\n  oncePer: pod.metadata.uid\n  send: [ready]" })).toEqual(['trigger.on-ready']);
    expect(changed({ ...base, 'trigger.on-gone': "- when: pod.status.phase == 'Failed'\n  send: [ready]" })).toEqual(['trigger.on-gone']);
    expect(changed({ ...base, subscriptions: '- recipients: [hook:ops]\n  triggers: [on-ready]' })).toEqual(['subscriptions']);
    expect(changed({ ...base, 'service.webhook.other': 'url: http://127.0.0.1:1/y' })).toEqual(['service.other']);
    // What a notification says, or where a service sends it: no resync.
    expect(changed({ ...base, 'template.ready': 'message: Pod {{.pod.metadata.name}} runs' })).toEqual([]);
    expect(changed({ ...base, 'service.webhook.hook': 'url: http://127.0.0.1:2/x' })).toEqual([]);
  });
});
