/**
 * True when resourceVersion `a` is older than `b`. Within one resource, Kubernetes resourceVersions are
 * positive decimal integers that grow with every write (a documented guarantee since Kubernetes 1.35,
 * KEP-5504, and true of every etcd-backed apiserver before); anything else (another source's versions, a
 * missing one) is never called older, so such events are evaluated as they come.
 */
export function olderVersion(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || !DECIMAL.test(a) || !DECIMAL.test(b)) return false;
  return a.length !== b.length ? a.length < b.length : a < b;
}

const DECIMAL = /^[1-9][0-9]*$/;
