import { describe, expect, it } from 'vitest';
import { herald } from '../__fixtures__/run-cli.ts';

describe('herald dlq usage errors (exit 2, before any connection)', () => {
  it.each([
    [['dlq', 'purge'], 'error: purge deletes every dead letter for good; add --yes to confirm'],
    [['dlq', 'purge', '--channel', 'events'], 'error: purge deletes the dead letters from events for good; add --yes to confirm'],
    [['dlq', 'retry'], 'error: give the ids of the dead letters to retry, or --all'],
    [['dlq', 'retry', '3', '--all'], 'error: give dead-letter ids or --all, not both'],
    [['dlq', 'retry', '3', '--channel', 'events'], 'error: --channel goes with --all'],
    [['dlq', 'retry', '3', 'x7'], '"x7" is not a dead-letter id (the number `herald dlq list` shows)'],
    [['dlq', 'show', '0'], '"0" is not a dead-letter id'],
    [['dlq', 'list', '--limit', '0'], "option '--limit <n>' argument '0' is invalid. must be a positive integer"],
    [['dlq', 'list', '--channel', 'deadLetters'], "argument 'deadLetters' is invalid. Allowed choices are events, notifications, results."],
  ])('%j', async (args, message) => {
    const run = await herald(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('has help', async () => {
    const run = await herald('dlq', 'retry', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: herald dlq retry \[options\] \[ids\.\.\.\]/);
  });
});
