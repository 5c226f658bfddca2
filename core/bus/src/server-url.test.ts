import { describe, expect, it } from 'vitest';
import { redactServerUrls } from './server-url.ts';

describe('redactServerUrls', () => {
  it.each([
    ['nats://user:pass@nats.example:4222', 'nats://***@nats.example:4222'],
    ['tls://s3cret-token@10.0.0.1:4222, nats://127.0.0.1:4222', 'tls://***@10.0.0.1:4222, nats://127.0.0.1:4222'],
    ['wss://a%40b:p%3Aw@host/ws', 'wss://***@host/ws'],
    ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4222'],
  ])('break 6d: %s is shown as %s', (text, shown) => {
    expect(redactServerUrls(text)).toBe(shown);
  });
});
