import { request, type RequestOptions } from 'node:https';
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';

/** What the API server said about one object of a server-side dry run. */
export interface DryRunAnswer {
  /** `Kind namespace/name` */
  readonly object: string;
  readonly status: number;
  /** The Status message when refused; the server's warnings (e.g. deprecations) when accepted. */
  readonly message: string;
}

// specUriPath resolves an object's collection path through discovery (CRDs included).
class CollectionPaths extends KubernetesObjectApi {
  collectionOf(spec: KubernetesObject): Promise<string> {
    return this.specUriPath(structuredClone(spec), 'create');
  }
}

/**
 * Sends each object to the API server as a create with `dryRun=All` and `fieldValidation=Strict`: admission,
 * defaulting and schema validation run, an unknown or duplicate field is refused, and nothing is stored.
 */
export async function serverSideDryRun(kc: KubeConfig, objects: readonly KubernetesObject[]): Promise<DryRunAnswer[]> {
  const paths = kc.makeApiClient(CollectionPaths);
  const server = new URL(kc.getCurrentCluster()!.server);
  const answers: DryRunAnswer[] = [];
  for (const object of objects) {
    const path = `${await paths.collectionOf(object)}?dryRun=All&fieldValidation=Strict`;
    const options: RequestOptions = { method: 'POST', hostname: server.hostname, port: server.port, path, headers: { 'content-type': 'application/json' } };
    await kc.applyToHTTPSOptions(options);
    const { status, body, warning } = await new Promise<{ status: number; body: string; warning: string }>((resolve, reject) => {
      const req = request(options, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, warning: [res.headers.warning ?? ''].flat().join('; ') }));
      });
      req.on('error', reject);
      req.end(JSON.stringify(object));
    });
    const name = `${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}`;
    const message = status < 300 ? warning : ((JSON.parse(body) as { message?: string }).message ?? body);
    answers.push({ object: name, status, message });
  }
  return answers;
}
