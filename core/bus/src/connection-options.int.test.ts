import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@herald/core-telemetry';
import { isHeraldError } from '@herald/plugin-sdk';
import { generateNatsAccounts, generateNatsPki, startNats, startNatsCluster, type NatsPki, type NatsServer } from '@herald/test-harness';
import { Bus, type BusOptions } from './bus.ts';
import { BusErrorCodes } from './errors.ts';
import { DeadLetterStore } from './dead-letters.ts';
import { defaultTopology, type TopologyOptions } from './topology.ts';

const logger = createLogger('connection-test', { level: 'silent' });
const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'herald-nats-auth-'));
const servers: NatsServer[] = [];

/** Small streams (JetStream reserves max bytes against the disk), with the given replicas everywhere. */
function topology(replicas = 1): TopologyOptions {
  return {
    ...defaultTopology,
    streams: Object.fromEntries(Object.entries(defaultTopology.streams).map(([c, l]) => [c, { ...l, maxBytes: 8 * MiB, replicas }])) as TopologyOptions['streams'],
    state: { maxBytes: 8 * MiB, replicas },
  };
}

async function server(config: string): Promise<NatsServer> {
  const s = await startNats({ config });
  servers.push(s);
  return s;
}

/** Connects as the engine does, creates the topology, and closes: resolves only if the server let us in and JetStream answered. */
async function engineConnects(options: Omit<BusOptions, 'name'>): Promise<void> {
  const bus = await Bus.connect({ name: 'connection-test', topology: topology(), ...options }, logger);
  await bus.jsm.streams.info(bus.topology.streamName('events'));
  await bus.drain();
}

/** What the operators' commands get from a server that does not let them in: a connect error, soon. */
async function refusal(options: Omit<BusOptions, 'name'>): Promise<string> {
  const store = await DeadLetterStore.connect({ ...options, timeoutMs: 3_000 }).catch((err: unknown) => err);
  if (store instanceof DeadLetterStore) {
    await store.close();
    return 'connected';
  }
  return isHeraldError(store) ? store.code : String(store);
}

let pki: NatsPki;
beforeAll(async () => {
  pki = await generateNatsPki(join(dir, 'pki'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('NATS connection: TLS and every kind of credential, against a real nats-server', () => {
  it('mutual TLS (verify: true): Herald presents its client certificate and trusts the private CA; without it, or with another CA’s, the server refuses', async () => {
    const s = await server(pki.mtlsConfig);
    const url = `tls://127.0.0.1:${s.port}`;
    await engineConnects({ servers: [url], tls: { ca: pki.caFile, cert: pki.clientCertFile, key: pki.clientKeyFile } });
    expect(await refusal({ servers: [url], tls: { ca: pki.caFile } })).toBe(BusErrorCodes.connect);
    expect(await refusal({ servers: [url], tls: { ca: pki.caFile, cert: pki.strangerCertFile, key: pki.strangerKeyFile } })).toBe(BusErrorCodes.connect);
    // The server's certificate is checked too: without the private CA it is not trusted.
    expect(await refusal({ servers: [url], tls: { cert: pki.clientCertFile, key: pki.clientKeyFile } })).toBe(BusErrorCodes.connect);
  });

  it('a token', async () => {
    const s = await server('authorization { token: "s3cret-token" }');
    await engineConnects({ servers: [s.url], auth: { token: 's3cret-token' } });
    expect(await refusal({ servers: [s.url], auth: { token: 'wrong' } })).toBe(BusErrorCodes.connect);
  });

  it('a user and password', async () => {
    const s = await server('authorization { users: [ { user: herald, password: "pa55 word" } ] }');
    await engineConnects({ servers: [s.url], auth: { user: 'herald', password: 'pa55 word' } });
    expect(await refusal({ servers: [s.url], auth: { user: 'herald', password: 'nope' } })).toBe(BusErrorCodes.connect);
  });

  it('an nkey seed file (with the trailing newline editors leave); another seed is refused', async () => {
    const user = nkeys.createUser();
    const s = await server(`authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`);
    const seedFile = join(dir, 'herald.nk');
    writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
    await engineConnects({ servers: [s.url], auth: { nkeySeedFile: seedFile } });
    const otherFile = join(dir, 'other.nk');
    writeFileSync(otherFile, new TextDecoder().decode(nkeys.createUser().getSeed()));
    expect(await refusal({ servers: [s.url], auth: { nkeySeedFile: otherFile } })).toBe(BusErrorCodes.connect);
  });

  it('a .creds file (operator, account and user JWTs, memory resolver); a user of an unknown account, or the JWT with another seed, is refused', async () => {
    const accounts = await generateNatsAccounts(join(dir, 'accounts'));
    const s = await server(accounts.config);
    await engineConnects({ servers: [s.url], auth: { credsFile: accounts.credsFile } });
    expect(await refusal({ servers: [s.url], auth: { credsFile: accounts.strangerCredsFile } })).toBe(BusErrorCodes.connect);
    expect(await refusal({ servers: [s.url], auth: { credsFile: accounts.mismatchedCredsFile } })).toBe(BusErrorCodes.connect);
    expect(await refusal({ servers: [s.url] })).toBe(BusErrorCodes.connect);
  });
});

describe('replicas', () => {
  it('a single server cannot hold R3: the error names the key to change', async () => {
    const s = await server('');
    const failed = await Bus.connect({ servers: [s.url], name: 'replicas-test', topology: topology(3) }, logger).then(
      async (b) => {
        await b.drain();
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(isHeraldError(failed) && failed.code).toBe(BusErrorCodes.topology);
    expect(String((failed as Error).message)).toContain('nats.streams.events.replicas');
  });

  it('on a three-member cluster, streams and buckets created R1 are scaled to R3 and back in place, keeping their messages', async () => {
    const cluster = await startNatsCluster();
    try {
      const options = (replicas: number) => ({ servers: cluster.urls, name: 'replicas-test', topology: topology(replicas) });
      const first = await Bus.connect(options(1), logger);
      await first.js.publish(`${first.topology.channelSubject('events')}.0`, 'kept', { msgID: 'kept-1' });
      await first.drain();
      const replicasOf = async (bus: Bus) => {
        const names = [...(['events', 'notifications', 'results', 'deadLetters'] as const).map((c) => bus.topology.streamName(c)), `KV_${bus.topology.stateBucket}`, `KV_${bus.topology.pluginsBucket}`];
        return Promise.all(names.map(async (n) => (await bus.jsm.streams.info(n)).config.num_replicas));
      };
      const scaledUp = await Bus.connect(options(3), logger);
      expect(await replicasOf(scaledUp)).toEqual([3, 3, 3, 3, 3, 3]);
      expect((await scaledUp.jsm.streams.info(scaledUp.topology.streamName('events'))).state.messages).toBe(1);
      await scaledUp.drain();
      const scaledDown = await Bus.connect(options(1), logger);
      expect(await replicasOf(scaledDown)).toEqual([1, 1, 1, 1, 1, 1]);
      await scaledDown.drain();
    } finally {
      await cluster.stop();
    }
  });
});
