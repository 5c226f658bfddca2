import { describe, expect, it } from 'vitest';
import { parseNotificationConfig } from '../config/parse-notification-config.ts';
import { resolveSubscriptions } from './subscriptions.ts';

const { config } = parseNotificationConfig({
  data: {
    'trigger.on-ready': '- when: "true"\n  send: [t]',
    'trigger.on-failed': '- when: "false"\n  send: [t]',
    'trigger.on-deleted': '- when: "false"\n  send: [t]',
    'template.t': 'message: hi',
    'service.webhook.hook': 'url: http://x',
    'service.slack': 'token: x',
    'service.email': 'host: smtp',
    defaultTriggers: '- on-failed',
    'defaultTriggers.slack': '- on-ready\n- on-failed',
    subscriptions: [
      '- recipients: [slack:prod-alerts]',
      '  triggers: [on-failed]',
      '  selector: env=prod',
      '- recipients: ["email:ops@example.com"]',
    ].join('\n'),
  },
});

const object = (annotations: Record<string, string>, labels: Record<string, string> = {}) => ({ metadata: { name: 'o', annotations, labels } });
const list = (annotations: Record<string, string>, labels?: Record<string, string>, prefix?: string) =>
  resolveSubscriptions(config!, object(annotations, labels), prefix).subscriptions.map((s) => `${s.trigger}→${s.destination.service}(${s.destination.serviceType}):${s.destination.recipient}`);

describe('subscriptions', () => {
  it.each([
    ['an empty value: one destination without recipient', { 'notifications.argoproj.io/subscribe.on-ready.hook': '' }, ['on-ready→hook(webhook):']],
    ['several recipients, trimmed, empty ones dropped', { 'notifications.argoproj.io/subscribe.on-ready.slack': 'a; b;;c ' }, ['on-ready→slack(slack):a', 'on-ready→slack(slack):b', 'on-ready→slack(slack):c']],
    ['subscribe.<service>: the service\'s default triggers', { 'notifications.argoproj.io/subscribe.slack': 'chan' }, ['on-ready→slack(slack):chan', 'on-failed→slack(slack):chan']],
    ['subscribe.<service> without service defaults: defaultTriggers', { 'notifications.argoproj.io/subscribe.hook': '' }, ['on-failed→hook(webhook):']],
    [
      'the subscriptions annotation (YAML list)',
      { 'notifications.argoproj.io/subscriptions': '- trigger: [on-ready, on-deleted]\n  destinations:\n  - service: slack\n    recipients: [a, b]' },
      ['on-ready→slack(slack):a', 'on-deleted→slack(slack):a', 'on-ready→slack(slack):b', 'on-deleted→slack(slack):b'],
    ],
    ['other annotations are not subscriptions', { 'example.com/subscribe.on-ready.hook': '', 'notifications.argoproj.io/other': 'x' }, []],
  ])('%s', (_name, annotations, expected) => {
    // Global subscriptions without a selector apply to every object.
    expect(list(annotations)).toEqual([...expected, 'on-failed→email(email):ops@example.com']);
  });

  it('adds global subscriptions whose selector matches the labels', () => {
    expect(list({}, { env: 'prod' })).toEqual(['on-failed→slack(slack):prod-alerts', 'on-failed→email(email):ops@example.com']);
    expect(list({}, { env: 'dev' })).toEqual(['on-failed→email(email):ops@example.com']);
  });

  it('merges duplicates from annotations and global subscriptions', () => {
    const annotations = {
      'notifications.argoproj.io/subscribe.on-failed.slack': 'prod-alerts',
      'notifications.argoproj.io/subscriptions': '- trigger: [on-failed]\n  destinations: [{service: slack, recipients: [prod-alerts]}]',
    };
    expect(list(annotations, { env: 'prod' })).toEqual(['on-failed→slack(slack):prod-alerts', 'on-failed→email(email):ops@example.com']);
  });

  it('uses a configured annotation prefix', () => {
    expect(list({ 'herald.dev/subscribe.on-ready.hook': '' }, {}, 'herald.dev')).toEqual(['on-ready→hook(webhook):', 'on-failed→email(email):ops@example.com']);
  });

  it('reports subscriptions it cannot use and keeps the rest', () => {
    const { subscriptions, problems } = resolveSubscriptions(config!, object({
      'notifications.argoproj.io/subscribe.on-ready.teams': 'x',
      'notifications.argoproj.io/subscriptions': '[: bad',
      'notifications.argoproj.io/subscribe.on-ready.hook': '',
    }));
    expect(subscriptions.map((s) => s.destination.service)).toEqual(['hook', 'email']);
    expect(problems).toEqual([expect.stringMatching(/subscribe\.on-ready\.teams: service "teams" is not defined/), expect.stringMatching(/subscriptions: invalid YAML/)]);
  });

  it('copes with objects without metadata, labels or annotations', () => {
    expect(resolveSubscriptions(config!, {}).subscriptions).toHaveLength(1);
    expect(resolveSubscriptions(config!, { metadata: { annotations: null, labels: 5 } }).subscriptions).toHaveLength(1);
  });
});
