import { readFileSync } from 'node:fs';

/**
 * `names`' values in deploy/docker/Dockerfile's `ENV` lines (`NAME=value` or `NAME="value with spaces"`): the
 * environment the image gives node (NODE_OPTIONS, GLIBC_TUNABLES, …), for a benchmark that runs what the image runs.
 */
export function imageEnv(names: string[]): Record<string, string> {
  const dockerfile = readFileSync(new URL('../../../deploy/docker/Dockerfile', import.meta.url), 'utf8');
  return Object.fromEntries(names.flatMap((name) => {
    const match = new RegExp(`^(?:ENV\\s+|\\s+)${name}=(?:"([^"]*)"|(\\S+))`, 'm').exec(dockerfile);
    const value = match?.[1] ?? match?.[2];
    return value === undefined ? [] : [[name, value]];
  }));
}
