export { runCli } from './program.ts';
export { ExitCode } from './exit-codes.ts';
