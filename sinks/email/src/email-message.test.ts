import { describe, expect, it } from 'vitest';
import { sampleNotification } from '@herald/plugin-testing';
import { buildMessage } from './email-message.ts';
import { emailServiceConfigSchema } from './email.config.ts';

const service = emailServiceConfigSchema.parse({ host: 'smtp.example.com', from: 'Herald <herald@example.com>' });
const to = (recipient: string, rendered: Record<string, unknown> = { message: 'm' }) =>
  sampleNotification({ destination: { serviceType: 'email', service: 'email', recipient }, rendered, idempotencyKey: 'k1', claimRevision: 2 });

describe('buildMessage', () => {
  it('takes the body over the message, and the Message-ID from the idempotency key and the sender domain', () => {
    expect(buildMessage(to('a@example.com', { message: 'm', email: { subject: 's', body: 'b' } }), 'email', service)).toEqual({
      from: 'Herald <herald@example.com>',
      to: ['a@example.com'],
      subject: 's',
      text: 'b',
      messageId: '<k1.2@example.com>',
      headers: { 'X-Herald-Idempotency-Key': 'k1:2' },
    });
  });

  it.each([
    ['one address', 'a@example.com', ['a@example.com']],
    ["Argo's comma-separated list, blanks ignored", ' a@example.com, b@example.com ,, ', ['a@example.com', 'b@example.com']],
    ['a named address', 'Ops <ops@example.com>', ['Ops <ops@example.com>']],
  ])('reads %s as recipients', (_what, recipient, expected) => {
    expect(buildMessage(to(recipient), 'email', service).to).toEqual(expected);
  });

  it.each([
    ['no recipient', '', 'email "email": no recipient'],
    ['a recipient with a line break', 'a@example.com\r\nBcc: x@example.com', 'is not an email address'],
    ['a template block that is not an object', undefined, 'the rendered template block email is malformed'],
  ])('refuses %s for good', (_what, recipient, message) => {
    const n = recipient === undefined ? to('a@example.com', { email: 'not a block' }) : to(recipient);
    let thrown: unknown;
    try {
      buildMessage(n, 'email', service);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ name: 'DeliveryError', retryable: false });
    expect((thrown as Error).message).toContain(message);
  });
});
