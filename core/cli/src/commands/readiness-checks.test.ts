import { describe, expect, it } from 'vitest';
import type { Kernel, PluginStatus } from '@herald/core-kernel';
import type { NotificationConfig, NotificationConfigProvider } from '@herald/core-notification-config';
import { readinessChecks } from './readiness-checks.ts';

type Probe = Pick<Kernel, 'bus' | 'status' | 'notificationConfig' | 'sourceReadiness'>;

function kernel(parts: { config?: NotificationConfig | undefined; provider?: boolean; plugins?: PluginStatus[]; sources?: { id: string; ready: true | string }[] }): Probe {
  const provider: NotificationConfigProvider | undefined =
    parts.provider === false ? undefined : { current: () => parts.config, onChange: () => () => undefined, origin: 'configmap shop/herald-notifications-cm' };
  return { bus: {} as Kernel['bus'], status: () => parts.plugins ?? [], notificationConfig: provider, sourceReadiness: () => parts.sources ?? [] };
}

async function run(probe: Probe, name: string): Promise<true | string> {
  const check = readinessChecks(probe).find((c) => c.name === name);
  if (!check) throw new Error(`no check ${name}`);
  return check.check();
}

describe('/readyz checks', () => {
  it('is not ready while the evaluator or a sink has no notification config, naming where it is read from', async () => {
    expect(await run(kernel({ config: undefined }), 'notification-config')).toBe('no notification config loaded yet from configmap shop/herald-notifications-cm');
  });

  it('is ready once a config loaded, and in a process that needs none (source or state only)', async () => {
    expect(await run(kernel({ config: {} as NotificationConfig }), 'notification-config')).toBe(true);
    expect(await run(kernel({ provider: false }), 'notification-config')).toBe(true);
  });

  it('names the plugins that failed or stopped', async () => {
    const plugins: PluginStatus[] = [
      { id: 'webhook', name: '@herald/sink-webhook', state: 'running' },
      { id: 'slack', name: '@herald/sink-slack', state: 'failed', error: { code: 'HERALD_ERR_PLUGIN_INIT', message: 'x' } },
    ];
    expect(await run(kernel({ config: {} as NotificationConfig, plugins }), 'plugins')).toBe('slack failed (HERALD_ERR_PLUGIN_INIT)');
  });

  it('is not ready while a leading source has not published its first list, naming what it waits for; a standby source is ready', async () => {
    const waiting = { id: 'kubernetes', ready: 'leading, first list not published yet: pods.v1' } as const;
    expect(await run(kernel({ sources: [waiting] }), 'source')).toBe('kubernetes: leading, first list not published yet: pods.v1');
    expect(await run(kernel({ sources: [{ id: 'kubernetes', ready: true }] }), 'source')).toBe(true);
    expect(await run(kernel({}), 'source')).toBe(true);
  });
});
