import { connect } from '@nats-io/transport-node';
import { nkeys, usernamePasswordAuthenticator, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { sampleNotification, startTestSink } from '@herald/plugin-testing';
import { startNats, type NatsServer } from '@herald/test-harness';
import type { NotificationData } from '@herald/plugin-sdk';
import nats from '../nats-sink.ts';

/** The error a promise rejected with (fails when it resolved): the kit's `rejectionOf`. */
export { rejectionOf as rejection } from '@herald/plugin-testing';

export const PASSWORD = 'correct-horse-battery-7731';
export const READER_PASSWORD = 'reader-pw-4411';

/** A user's NKey: its seed (the secret the service option holds) and its public key (the server's config). */
export function nkeyUser(): { seed: string; publicKey: string } {
  const pair = nkeys.createUser();
  return { seed: new TextDecoder().decode(pair.getSeed()), publicKey: pair.getPublicKey() };
}

/**
 * nats-server config: `herald` (password) and an NKey user, both denied `denied` subjects (and any in
 * `deny`), and `reader`, who may do anything, for the tests to read back with.
 */
export function serverConfig(nkeyPublic: string, deny: string[] = []): string {
  const permissions = `{ publish: { deny: ${JSON.stringify(['denied.>', ...deny])} } }`;
  return [
    'max_payload: 4096',
    'authorization {',
    '  users = [',
    `    { user: herald, password: "${PASSWORD}", permissions: ${permissions} }`,
    `    { nkey: ${nkeyPublic}, permissions: ${permissions} }`,
    `    { user: reader, password: "${READER_PASSWORD}" }`,
    '  ]',
    '}',
  ].join('\n');
}

export async function startAuthNats(nkeyPublic: string): Promise<NatsServer> {
  return startNats({ config: serverConfig(nkeyPublic), monitor: true });
}

/** A connection as `reader`, to read back what the sink published. */
export function readerConnection(server: NatsServer): Promise<NatsConnection> {
  return connect({ servers: server.url, authenticator: usernamePasswordAuthenticator('reader', READER_PASSWORD) });
}

/** Subscribes `nc` to `subject` and keeps what arrives. */
export async function collect(nc: NatsConnection, subject: string): Promise<Msg[]> {
  const got: Msg[] = [];
  nc.subscribe(subject, { callback: (_err, msg) => void got.push(msg) });
  await nc.flush();
  return got;
}

export const startSink = (config: Record<string, unknown> = {}) => startTestSink(nats, { pluginConfig: config });
export type TestSink = Awaited<ReturnType<typeof startSink>>;

/** A notification to `subject` with `message` rendered. */
export function notification(subject: string, message: string): NotificationData {
  return sampleNotification({ destination: { serviceType: 'nats', service: 'nats', recipient: subject }, rendered: { message } });
}

