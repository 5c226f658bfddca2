export { default as tickerSource } from './ticker-source.ts';
export { default as tapSink } from './tap-sink.ts';
