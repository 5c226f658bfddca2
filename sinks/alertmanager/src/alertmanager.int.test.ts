import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startAlertmanager, type AlertmanagerServer } from '@herald/test-harness';
import { notification, rejection, startSink, type TestSink } from './__fixtures__/sink-harness.ts';

let am: AlertmanagerServer;
let sink: TestSink;
beforeAll(async () => {
  am = await startAlertmanager();
});
afterAll(async () => {
  await am?.stop();
});
beforeEach(async () => {
  await sink?.handle.stop();
  sink = await startSink();
});

// What an Argo template's block renders to: labels that identify the alert, annotations that describe it.
const block = (app: string) => ({
  labels: { severity: 'critical', namespace: 'shop', app },
  annotations: { summary: `${app} is degraded`, description: 'Deployment shop/web has 0 of 3 replicas available' },
  generatorURL: 'git@github.com:acme/shop.git',
});

it('the alert Alertmanager holds carries the labels, annotations and generatorURL the template block set', async () => {
  await sink.send(notification(block('web')), { targets: [am.target] });
  const alert = (await am.alerts()).find((a) => a.labels.app === 'web');
  expect(alert).toMatchObject({
    labels: { alertname: 'app-degraded', severity: 'critical', namespace: 'shop', app: 'web' },
    annotations: { summary: 'web is degraded', description: 'Deployment shop/web has 0 of 3 replicas available' },
    generatorURL: 'https://github.com/acme/shop.git',
    startsAt: '2026-12-04T10:00:00.000Z',
    status: { state: 'active' },
  });
});

it('a redelivery of the same notification leaves one alert: Alertmanager identifies alerts by their labels', async () => {
  await sink.send(notification(block('api')), { targets: [am.target] });
  await sink.send(notification(block('api')), { targets: [am.target] });
  expect((await am.alerts()).filter((a) => a.labels.app === 'api')).toHaveLength(1);
});

it('with a target down, the send succeeds through the one that is up', async () => {
  await sink.send(notification(block('cart')), { targets: ['127.0.0.1:9', am.target] });
  expect((await am.alerts()).filter((a) => a.labels.app === 'cart')).toHaveLength(1);
  expect(sink.logger.text()).toContain('http://127.0.0.1:9/api/v2/alerts failed');
});

it('an alert Alertmanager refuses is permanent, with its error text', async () => {
  const err = await rejection(sink.send(notification({ labels: { '': 'nameless' } }), { targets: [am.target] }));
  expect(err).toMatchObject({ retryable: false });
  expect(err.message).toContain(`http://${am.target}/api/v2/alerts answered 400`);
});

it('an apiPath of the removed v1 API is permanent, with what Alertmanager said about it', async () => {
  const err = await rejection(sink.send(notification(block('old')), { targets: [am.target], apiPath: '/api/v1/alerts' }));
  expect(err).toMatchObject({ retryable: false });
  expect(err.message).toContain(`http://${am.target}/api/v1/alerts answered 410`);
  expect(err.message).toContain('The Alertmanager v1 API was deprecated');
});
