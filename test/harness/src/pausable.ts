/**
 * Spawn options for a server a test freezes with SIGSTOP (`pause()`): a session and process group of its
 * own. In the test run's group, the kernel sends SIGHUP then SIGCONT to every stopped member whenever the
 * group becomes orphaned (some process of the run exits, as a test worker does), and where SIGHUP is ignored
 * (a runner started under nohup) only the SIGCONT is felt: the "hung" server answered in the middle of a
 * test that counted on its silence. Seen in CI as a send to a paused server that succeeded.
 */
export const PAUSABLE = { detached: true } as const;
