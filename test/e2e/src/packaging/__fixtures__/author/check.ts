// A plugin author's first check of a sink, compiled with plain tsc and run with plain node against the
// packed @herald/plugin-sdk and @herald/plugin-testing (see ../../published-packages.int.test.ts).
import { SDK_VERSION, isHeraldPlugin } from '@herald/plugin-sdk';
import { fakeCoreServices, runSourceConformance, sampleNotification, tickerSource } from '@herald/plugin-testing';
import tiny, { delivered } from './tiny-sink.js';

const services = fakeCoreServices();
const handle = await tiny.init({ ...services.resolve(tiny.deps), config: tiny.configSchema.parse({}), signal: new AbortController().signal });
await handle.send(sampleNotification(), { attempt: 1, signal: AbortSignal.timeout(1_000), service: { type: 'tiny', name: 'tiny', config: {} } });
await handle.stop();
const source = await runSourceConformance({ plugin: tickerSource, events: 2 });
// eslint-disable-next-line no-console -- the author's script reports to the test that runs it
console.log(JSON.stringify({ sdk: SDK_VERSION, plugin: isHeraldPlugin(tiny), delivered: delivered.length, sourceChecks: source.passed.length }));
