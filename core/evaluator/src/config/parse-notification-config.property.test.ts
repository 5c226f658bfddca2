import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Evaluator } from '../evaluate/evaluator.ts';
import { resolveSubscriptions } from '../subscriptions/subscriptions.ts';
import { parseNotificationConfig } from './parse-notification-config.ts';

// Keys shaped like a notification ConfigMap's, and values that are YAML of any shape, or plain junk.
const keyArb = fc.oneof(
  fc.constantFrom('subscriptions', 'defaultTriggers', 'context', 'constructor', '__proto__', 'toString'),
  fc.tuple(fc.constantFrom('trigger.', 'template.', 'service.', 'defaultTriggers.', 'service.webhook.'), fc.string({ maxLength: 12 })).map(([p, s]) => p + s),
  fc.string({ maxLength: 20 }),
);
const hostile = fc.constantFrom(
  '{{.__proto__}}',
  '{{constructor.constructor "return process"}}',
  "pod.constructor.constructor('return process')()",
  '__proto__.polluted == true',
  '{{define "x"}}{{end}}',
  '*a\n&a',
  '!!js/function "function(){}"',
  '{{#each this}}{{lookup . "constructor"}}{{/each}}',
);
const valueArb = fc.oneof(
  fc.string({ maxLength: 80 }),
  hostile,
  fc.jsonValue({ maxDepth: 3 }).map((v) => stringify(v)),
  fc.array(fc.record({ when: fc.oneof(fc.string({ maxLength: 30 }), hostile), send: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), oncePer: fc.option(fc.string({ maxLength: 20 })) }), { maxLength: 3 }).map((v) => stringify(v)),
  fc.record({ message: fc.oneof(fc.string({ maxLength: 40 }), hostile), webhook: fc.dictionary(fc.string({ maxLength: 6 }), fc.record({ body: fc.oneof(fc.string({ maxLength: 40 }), hostile) })) }).map((v) => stringify(v)),
);

describe('notification config: hostile and random input (property-based)', () => {
  it('never throws; every issue names a key of the ConfigMap; prototypes stay untouched', () => {
    fc.assert(
      fc.property(fc.dictionary(keyArb, valueArb, { maxKeys: 8 }), fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }), (data, secrets) => {
        const { config, issues } = parseNotificationConfig({ data, secrets });
        for (const issue of issues) {
          expect(Object.keys(data).some((k) => issue.key === k || issue.key.startsWith(`${k}.`) || issue.key.startsWith(`${k}[`))).toBe(true);
          expect(issue.message.length).toBeGreaterThan(0);
        }
        expect(config === undefined).toBe(issues.some((i) => i.severity === 'error'));
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  it('plans and renders any object and any annotations without throwing', () => {
    const { config } = parseNotificationConfig({
      data: {
        'trigger.t': "- when: pod.status.phase in ['Running'] and len(pod.spec.containers) > 0\n  oncePer: pod.metadata.labels.v\n  send: [m]",
        'template.m': 'message: "{{.pod.metadata.name}} {{range .pod.spec.containers}}{{.name}}{{end}}"',
        'service.webhook.hook': 'url: http://x',
        subscriptions: '- recipients: ["hook:a"]\n  selector: app in (web)',
        defaultTriggers: '- t',
      },
    });
    const evaluator = new Evaluator(config!, { varName: 'pod' });
    const annotationArb = fc.dictionary(
      fc.oneof(fc.constantFrom('notifications.argoproj.io/subscribe.t.hook', 'notifications.argoproj.io/subscribe.hook', 'notifications.argoproj.io/subscriptions'), fc.string({ maxLength: 40 })),
      fc.oneof(fc.string({ maxLength: 40 }), hostile, fc.jsonValue({ maxDepth: 3 }).map((v) => stringify(v))),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), annotationArb, fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), (spec, annotations, labels) => {
        const object = { metadata: { name: 'x', annotations, labels }, spec, status: spec };
        resolveSubscriptions(config!, object);
        const plan = evaluator.plan(object);
        for (const d of plan.decisions) if (d.triggered) evaluator.render(d.condition.templates, object, d.destination);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});
