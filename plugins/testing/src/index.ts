export { default as tickerSource } from './ticker-source.ts';
export { default as tapSink } from './tap-sink.ts';
export {
  runSinkConformance,
  type SinkConformanceOptions,
  type SinkConformanceReport,
  type ConformanceRemote,
  type RemoteFailure,
} from './conformance/run-sink-conformance.ts';
export { runSourceConformance, type SourceConformanceOptions, type SourceConformanceReport } from './conformance/run-source-conformance.ts';
export { SinkConformanceError, SourceConformanceError, PluginTestingError } from './errors.ts';
export { fakeCoreServices, type FakeCoreServices } from './fakes/fake-core-services.ts';
export { recordingLogger, type RecordingLogger, type LogLine } from './fakes/recording-logger.ts';
export { manualClock, type ManualClock } from './fakes/manual-clock.ts';
export { memoryStore } from './fakes/memory-store.ts';
export { recordingPublisher, publishId, type RecordingPublisher, type Published } from './fakes/recording-publisher.ts';
export { recordingTracer, type RecordingTracer, type RecordedSpan } from './fakes/recording-tracer.ts';
export { sampleNotification } from './fakes/sample-notification.ts';
export { sampleResourceEvent } from './fakes/sample-resource-event.ts';
