import { describe, expect, it } from 'vitest';
import { emailPluginConfigSchema, emailServiceConfigSchema, emailTemplateSchema } from './email.config.ts';

const base = { host: 'smtp.example.com', from: 'herald@example.com' };

describe('service.email options', () => {
  it("takes Argo's options unchanged, snake_case included, with defaults", () => {
    expect(emailServiceConfigSchema.parse({ ...base, port: 587, username: 'u', password: 'p', html: true, insecure_skip_verify: true })).toEqual({
      ...base,
      port: 587,
      username: 'u',
      password: 'p',
      html: true,
      insecure_skip_verify: true,
    });
    expect(emailServiceConfigSchema.parse(base)).toEqual({ ...base, port: 25, html: false, insecure_skip_verify: false });
  });

  it.each([
    ['a port substituted from a secret', { port: '465' }, 465],
    ['an empty option (YAML null)', { port: null }, 25],
  ])('reads %s', (_what, extra, port) => {
    expect(emailServiceConfigSchema.parse({ ...base, ...extra }).port).toBe(port);
  });

  it.each([
    ['a from that is not an address', { from: 'herald at example' }, ['from'], 'is not an email address'],
    ['a from with a line break', { from: 'Herald <h@example.com>\r\nBcc: x@y.z' }, ['from'], 'is not an email address'],
    ['a port out of range', { port: 70_000 }, ['port'], ''],
    ['no host', { host: ' ' }, ['host'], 'must name the SMTP server'],
  ])('rejects %s, naming the key', (_what, extra, path, message) => {
    const result = emailServiceConfigSchema.safeParse({ ...base, ...extra });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path });
    expect(result.error!.issues[0]!.message).toContain(message);
  });

  it('rejects an unknown key (insecureSkipVerify is the webhook spelling, not the email one)', () => {
    const result = emailServiceConfigSchema.safeParse({ ...base, insecureSkipVerify: true });
    expect(result.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['insecureSkipVerify'] });
  });

  it('accepts a named sender', () => {
    expect(emailServiceConfigSchema.parse({ ...base, from: 'Herald Bot <herald@example.com>' }).from).toBe('Herald Bot <herald@example.com>');
  });
});

describe('template email block', () => {
  it('has subject and body, and nothing else', () => {
    expect(emailTemplateSchema.parse({ subject: 's', body: 'b' })).toEqual({ subject: 's', body: 'b' });
    expect(emailTemplateSchema.safeParse({ subjet: 's' }).error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['subjet'] });
  });
});

describe('plugin options', () => {
  it('reads the timeout as a Go duration or milliseconds', () => {
    expect(emailPluginConfigSchema.parse({ timeout: '2s' })).toEqual({ timeout: 2_000, maxConnections: 5, maxMessagesPerConnection: 100 });
    expect(emailPluginConfigSchema.parse({ timeout: 1_500 }).timeout).toBe(1_500);
    expect(emailPluginConfigSchema.safeParse({ timeout: '0s' }).success).toBe(false);
  });
});
