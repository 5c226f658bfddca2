import type { ControlPlanePki } from './pki.ts';

export interface ApiserverLayout {
  /** The one address the server listens on and advertises (127.0.0.1 unless a test needs it elsewhere). */
  readonly address: string;
  readonly securePort: number;
  readonly etcdClientPort: number;
  readonly etcdPeerPort: number;
  readonly etcdDir: string;
  readonly certDir: string;
  readonly tokenFile: string;
  readonly pki: ControlPlanePki;
}

/**
 * Command line of the controlplane binary: its own --embedded-etcd-* flags, then kube-apiserver flags for a
 * server on one local address with no cloud, no kubelets and no controller manager. etcd stays on loopback.
 */
export function apiserverArgs(l: ApiserverLayout, extra: readonly string[] = []): string[] {
  const server = `https://${l.address}:${l.securePort}`;
  return [
    `--embedded-etcd-dir=${l.etcdDir}`,
    `--embedded-etcd-client-url=http://127.0.0.1:${l.etcdClientPort}`,
    `--embedded-etcd-peer-url=http://127.0.0.1:${l.etcdPeerPort}`,
    `--secure-port=${l.securePort}`,
    `--bind-address=${l.address}`,
    `--advertise-address=${l.address}`,
    `--cert-dir=${l.certDir}`,
    `--tls-cert-file=${l.pki.servingCertFile}`,
    `--tls-private-key-file=${l.pki.servingKeyFile}`,
    `--client-ca-file=${l.pki.caFile}`,
    `--token-auth-file=${l.tokenFile}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${l.pki.serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${l.pki.serviceAccountPrivateKeyFile}`,
    // Only used to allocate ClusterIPs in etcd; nothing routes to it.
    '--service-cluster-ip-range=10.0.0.0/24',
    // ServiceAccount admission refuses Pods until a token controller has created the default service
    // account, and there is no controller manager here.
    '--disable-admission-plugins=ServiceAccount',
    // The endpoint reconciler would publish 127.0.0.1 as the `kubernetes` Service endpoint, which validation
    // rejects (loopback), and log that error every few seconds.
    '--endpoint-reconciler-type=none',
    // Without it a graceful shutdown waits for open watches to end by themselves, so SIGTERM with an
    // informer connected took the whole stop grace period; with it the server closes them.
    '--shutdown-watch-termination-grace-period=2s',
    ...extra,
  ];
}
