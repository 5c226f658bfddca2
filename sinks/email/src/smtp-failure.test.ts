import { describe, expect, it } from 'vitest';
import { smtpFailure } from './smtp-failure.ts';

describe('smtpFailure', () => {
  it.each([
    ['a 4xx reply', { code: 'EENVELOPE', responseCode: 451, response: '451 4.3.0 try later', command: 'RCPT TO:<a@b.c>' }, true, 'the SMTP server deferred the message (after RCPT): 451 4.3.0 try later'],
    ['a 5xx reply', { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 no such user', command: 'RCPT TO:<a@b.c>' }, false, 'the SMTP server refused the message (after RCPT): 550 5.1.1 no such user'],
    ['a message too large', { code: 'EMESSAGE', responseCode: 552, response: '552 5.3.4 too big', command: 'DATA' }, false, 'refused the message (after DATA): 552 5.3.4 too big'],
    ['a refused connection', { code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:25' }, true, 'connect ECONNREFUSED 127.0.0.1:25'],
    ['a timeout', { code: 'ETIMEDOUT', message: 'Greeting never received' }, true, 'Greeting never received'],
    ['an untrusted certificate', { code: 'ESOCKET', message: 'self-signed certificate' }, false, 'TLS failed: self-signed certificate'],
    ['missing credentials', { code: 'EAUTH', message: 'Missing credentials for "PLAIN"' }, false, 'Missing credentials'],
    ['something unknown', new Error('boom'), true, 'boom'],
  ])('%s', (_what, err, retryable, message) => {
    const failure = smtpFailure('email "ops"', err, []);
    expect(failure.retryable).toBe(retryable);
    expect(failure.message).toContain(message);
    expect(failure.message.startsWith('email "ops": ')).toBe(true);
  });

  it('masks a secret the server echoes', () => {
    const failure = smtpFailure('email "ops"', { responseCode: 535, response: '535 bad credentials for hunter2-pw' }, ['hunter2-pw']);
    expect(failure.message).toBe('email "ops": the SMTP server refused the message: 535 bad credentials for ***');
  });
});
