import { describe, expect, it } from 'vitest';
import { appFixture, host, podFixture } from './__fixtures__/expr-vars.ts';
import { compileExpression, evaluateCondition } from './compile-expression.ts';

// Triggers as Argo users write them (Argo CD's notification catalog and docs), against the states they watch for.
const healthy = appFixture();
const degraded = appFixture({ health: { status: 'Degraded' } });
const outOfSyncHealthy = appFixture({ sync: { status: 'OutOfSync' } });
const failed = appFixture({ operationState: { phase: 'Failed', finishedAt: '2024-01-01T00:00:00Z' } });
const erroredRecently = appFixture({ operationState: { phase: 'Error', finishedAt: '2024-01-01T00:08:00Z' } });
const neverSynced = appFixture({ operationState: undefined });
const running = appFixture({ operationState: { phase: 'Running', startedAt: '2023-12-31T23:50:00Z' } });
const deleting = { ...healthy, metadata: { name: 'prod-guestbook', deletionTimestamp: '2024-01-01T00:09:00Z' } };
const syncedRevision = appFixture({ operationState: { phase: 'Succeeded', syncResult: { revision: 'abc123' } } });

const pendingPod = { ...podFixture(), status: { phase: 'Pending' } };
const singleContainerPod = { ...podFixture(), spec: { containers: [{ name: 'only' }] } };

describe('Argo trigger conditions', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    [`pod.status.phase in ['Running']`, { pod: podFixture() }, true],
    [`pod.status.phase in ['Running']`, { pod: pendingPod }, false],
    [`app.status.operationState.phase in ['Succeeded']`, { app: healthy }, true],
    [`app.status.operationState.phase in ['Succeeded']`, { app: failed }, false],
    [`app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'`, { app: healthy }, true],
    [`app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'`, { app: degraded }, false],
    [`app.status.health.status == 'Degraded'`, { app: degraded }, true],
    [`app.status.health.status == 'Degraded'`, { app: healthy }, false],
    [`app.status.sync.status == 'OutOfSync' and app.status.health.status == 'Healthy'`, { app: outOfSyncHealthy }, true],
    [`app.status.sync.status == 'OutOfSync' and app.status.health.status == 'Healthy'`, { app: healthy }, false],
    [`app.status.sync.status == 'Unknown'`, { app: healthy }, false],
    [`app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']`, { app: failed }, true],
    [`app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']`, { app: neverSynced }, false],
    [`app.status.operationState.phase in ['Error', 'Failed']`, { app: erroredRecently }, true],
    [`app.status.operationState.phase in ['Running']`, { app: running }, true],
    [`time.Now().Sub(time.Parse(app.status.operationState.finishedAt)).Minutes() >= 5`, { app: failed }, true],
    [`time.Now().Sub(time.Parse(app.status.operationState.finishedAt)).Minutes() >= 5`, { app: erroredRecently }, false],
    [`app.status.operationState.phase in ['Running'] and time.Now().Sub(time.Parse(app.status.operationState.startedAt)).Minutes() >= 15`, { app: running }, true],
    [`app.metadata.deletionTimestamp != nil`, { app: deleting }, true],
    [`app.metadata.deletionTimestamp != nil`, { app: healthy }, false],
    [`app.metadata.name matches '^prod-'`, { app: healthy }, true],
    [`app.metadata.name matches '^staging-'`, { app: healthy }, false],
    [`any(pod.status.containerStatuses, {.ready == false})`, { pod: podFixture() }, true],
    [`all(pod.status.containerStatuses, {.ready})`, { pod: podFixture() }, false],
    [`len(pod.spec.containers) > 1`, { pod: podFixture() }, true],
    [`len(pod.spec.containers) > 1`, { pod: singleContainerPod }, false],
    ['true', {}, true],
  ])('%s', (source, objects, expected) => {
    const vars = { ...objects, time: host.time, strings: host.strings };
    const result = evaluateCondition(compileExpression(source), vars);
    expect(result).toEqual({ value: expected });
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    ['app.status.sync.revision', { app: healthy }, 'abc123'],
    ['app.status.operationState?.syncResult?.revision', { app: syncedRevision }, 'abc123'],
    ['app.status.operationState?.syncResult?.revision', { app: neverSynced }, null],
  ])('oncePer %s', (source, objects, expected) => {
    expect(compileExpression(source).evaluate(objects)).toBe(expected);
  });

  it.each([
    [`app.status.operationState.phase in ['Succeeded']`, 'cannot fetch phase from <nil>'],
    [`app.status.operationState.phase != 'Succeeded'`, 'cannot fetch phase from <nil>'],
    [`app.status.operationState.syncResult.revision != ''`, 'cannot fetch syncResult from <nil>'],
  ])('is false with a reason on an Application never synced, as expr-lang errors on nil: %s', (source, reason) => {
    const result = evaluateCondition(compileExpression(source), { app: neverSynced });
    expect(result).toEqual({ value: false, error: expect.objectContaining({ code: 'HERALD_ERR_EXPR_RUNTIME', message: reason }) });
  });

  it('is false with a reason where Argo fails at run time: a pod without container statuses', () => {
    const result = evaluateCondition(compileExpression(`any(pod.status.containerStatuses, {.ready == false})`), { pod: pendingPod });
    expect(result.value).toBe(false);
    expect(result.error?.code).toBe('HERALD_ERR_EXPR_RUNTIME');
    expect(result.error?.message).toBe('any(): argument 1 must be an array, got nil');
  });
});
