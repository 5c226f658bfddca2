/**
 * Small stream limits for tests, as the `nats` section of herald.yaml takes them. JetStream reserves each
 * stream's max bytes against the server's storage limit (a share of the free disk), so tests that create
 * many sets of streams with the production defaults (over 3 GiB each) fail on a fuller disk.
 */
export const testNatsLimits = {
  streams: {
    events: { maxBytes: '32MiB' },
    notifications: { maxBytes: '32MiB' },
    results: { maxBytes: '16MiB' },
    deadLetters: { maxBytes: '32MiB' },
  },
  state: { maxBytes: '16MiB' },
} as const;
