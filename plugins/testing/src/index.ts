export { default as tickerSource } from './ticker-source.ts';
export { default as tapSink } from './tap-sink.ts';
export {
  runSinkConformance,
  type SinkConformanceOptions,
  type SinkConformanceReport,
  type ConformanceRemote,
  type RemoteFailure,
  type SinkConformanceCheck,
  SINK_CONFORMANCE_CHECKS,
} from './conformance/run-sink-conformance.ts';
export { behaviourRemote, type BehavingServer } from './conformance/behaviour-remote.ts';
export { startTestSink, type TestSink, type TestSinkOptions } from './harness/test-sink.ts';
export { rejectionOf, type Rejection } from './harness/rejection.ts';
export { runSourceConformance, type SourceConformanceOptions, type SourceConformanceReport } from './conformance/run-source-conformance.ts';
export { SinkConformanceError, SourceConformanceError, PluginTestingError } from './errors.ts';
export { fakeCoreServices, type FakeCoreServices } from './fakes/fake-core-services.ts';
export { recordingLogger, type RecordingLogger, type LogLine } from './fakes/recording-logger.ts';
export { manualClock, type ManualClock } from './fakes/manual-clock.ts';
export { memoryStore } from './fakes/memory-store.ts';
export { memoryResyncRequests, type MemoryResyncRequests } from './fakes/memory-resync-requests.ts';
export { recordingPublisher, publishId, type RecordingPublisher, type Published } from './fakes/recording-publisher.ts';
export { recordingTracer, type RecordingTracer, type RecordedSpan } from './fakes/recording-tracer.ts';
export { sampleNotification, sampleNotificationTo } from './fakes/sample-notification.ts';
export { sampleResourceEvent } from './fakes/sample-resource-event.ts';
