export { default as tickerSource } from './ticker-source.ts';
export { default as tapSink } from './tap-sink.ts';
export {
  runSinkConformance,
  type SinkConformanceOptions,
  type SinkConformanceReport,
  type ConformanceRemote,
  type RemoteFailure,
} from './conformance/run-sink-conformance.ts';
export { SinkConformanceError } from './errors.ts';
export { recordingLogger, type RecordingLogger, type LogLine } from './fakes/recording-logger.ts';
export { manualClock, type ManualClock } from './fakes/manual-clock.ts';
export { memoryStore } from './fakes/memory-store.ts';
export { recordingPublisher, type RecordingPublisher, type Published } from './fakes/recording-publisher.ts';
export { sampleNotification } from './fakes/sample-notification.ts';
