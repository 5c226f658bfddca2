export { runCli } from './program.ts';
export { ExitCode } from './exit-codes.ts';
export { sinkSchemas, type SinkSchemas } from './commands/sink-schemas.ts';
