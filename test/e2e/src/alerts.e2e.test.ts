import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toolPath } from '@herald/test-harness';

const rules = fileURLToPath(new URL('../../../deploy/helm/herald/files/alerts.yaml', import.meta.url));
const ruleTests = fileURLToPath(new URL('./alerts/alerts.promtest.yaml', import.meta.url));
const promtool = () => toolPath('HERALD_PROMTOOL', 'prometheus', 'promtool');

describe("Herald's alerting rules (deploy/helm/herald/files/alerts.yaml)", () => {
  it('are a rule file Prometheus accepts', () => {
    const check = spawnSync(promtool(), ['check', 'rules', rules], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it("each fire on the trouble they name and stay quiet without it, with their labels and annotations (promtool's rule tests)", () => {
    const run = spawnSync(promtool(), ['test', 'rules', ruleTests], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('SUCCESS');
  });

  it('are each tested, with a severity, a summary and a description', () => {
    const file = parse(readFileSync(rules, 'utf8')) as { groups: { rules: { alert: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[] };
    const alerts = file.groups.flatMap((g) => g.rules);
    const tested = new Set((parse(readFileSync(ruleTests, 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(tested.has(alert.alert), `${alert.alert} is never expected to fire in ${ruleTests}`).toBe(true);
      expect(alert.labels?.severity, alert.alert).toMatch(/^(critical|warning|info)$/);
      expect(Object.keys(alert.annotations ?? {}).sort(), alert.alert).toEqual(['description', 'summary']);
    }
  });
});
