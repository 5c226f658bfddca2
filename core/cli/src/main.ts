#!/usr/bin/env node
import { runCli } from './program.ts';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// Everything was stopped and flushed by now; do not let a forgotten timer or socket keep the process up.
process.stdout.write('', () => process.exit(code));
