import { createPrivateKey } from 'node:crypto';
import { durationSchema, secret, z } from '@herald/plugin-sdk';

const HOUR = 3_600_000;

// YAML writes an empty option (`enterpriseBaseURL:` with nothing after it) as null; Go's decoder takes that as unset.
const unsetIfNull = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null || value === '' ? undefined : value), schema);

const bounded = (maxMs: number) => durationSchema().refine((ms) => ms > 0 && ms <= maxMs, `must be longer than 0 and at most ${maxMs / HOUR}h`);

/** Argo casts the IDs with cast.ToInt64E: a number, or a string of digits. */
const numericId = (what: string) =>
  z.union([z.number().int().positive(), z.string().regex(/^\d+$/, `must be the ${what} (digits)`)]).transform((v) => Number(v));

/** What Argo's GitHub App transport takes (jwt.ParseRSAPrivateKeyFromPEM): an RSA key, PEM, PKCS#1 or PKCS#8. */
function isRsaPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey({ key: pem, format: 'pem' }).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL (e.g. https://github.example.com/api/v3)');

/**
 * Options of one `service.github[.<name>]` entry: Argo's github service options, unchanged (its HTTP
 * transport options included), plus Herald's `timeout`.
 */
export const githubServiceConfigSchema = z.strictObject({
  /** The GitHub App's ID. */
  appID: numericId('GitHub App ID'),
  /** The App installation's ID. */
  installationID: numericId('installation ID'),
  /**
   * The App's private key (PEM), usually `$github-privateKey` from the notifications Secret. Argo parses it
   * when it loads the service and refuses one it cannot parse; so does Herald (the message never quotes it).
   */
  privateKey: secret(z.string().min(1, 'is required (the GitHub App private key, PEM)').refine(isRsaPrivateKey, 'is not a GitHub App private key: it must be a PEM encoded PKCS1 or PKCS8 RSA key')),
  /** GitHub Enterprise Server's API URL (https://github.example.com/api/v3); default https://api.github.com. */
  enterpriseBaseURL: unsetIfNull(httpUrl.optional()),
  /** Argo transport option; accepted for compatibility, no effect (Node's TLS verification stays on). */
  insecureSkipVerify: unsetIfNull(z.boolean().optional()),
  /** Argo transport options; accepted for compatibility, no effect (connections are pooled per process). */
  maxIdleConns: unsetIfNull(z.number().int().nonnegative().optional()),
  maxIdleConnsPerHost: unsetIfNull(z.number().int().nonnegative().optional()),
  maxConnsPerHost: unsetIfNull(z.number().int().nonnegative().optional()),
  idleConnTimeout: unsetIfNull(bounded(HOUR).optional()),
  /** Herald: bound on one send (every API call it makes). Default: the plugin's `timeout`. */
  timeout: unsetIfNull(bounded(HOUR).optional()),
});

export type GithubServiceConfig = z.output<typeof githubServiceConfigSchema>;
export type GithubServiceConfigInput = z.input<typeof githubServiceConfigSchema>;

/** Options of the github plugin itself (`plugins[i].options` in herald.yaml). */
export const githubPluginConfigSchema = z.strictObject({
  /** Bound on one send for services that set no `timeout`. */
  timeout: bounded(HOUR).default(30_000),
});

export type GithubPluginConfig = z.output<typeof githubPluginConfigSchema>;

/** Argo's defaults: where an Argo CD Application keeps its repository and synced revision. */
export const DEFAULT_REPO_URL_PATH = '{{.app.spec.source.repoURL}}';
export const DEFAULT_REVISION_PATH = '{{.app.status.operationState.syncResult.revision}}';

/**
 * The `github` block of a `template.<name>` entry, Argo's fields (its JSON names: the check run's are
 * snake_case). Strings are template text until rendered.
 */
export const githubTemplateSchema = z.strictObject({
  repoURLPath: z.string().default(DEFAULT_REPO_URL_PATH),
  revisionPath: z.string().default(DEFAULT_REVISION_PATH),
  status: z.strictObject({ state: z.string().optional(), label: z.string().optional(), targetURL: z.string().optional() }).optional(),
  deployment: z
    .strictObject({
      state: z.string().optional(),
      environment: z.string().optional(),
      environmentURL: z.string().optional(),
      logURL: z.string().optional(),
      requiredContexts: z.array(z.string()).optional(),
      autoMerge: z.boolean().optional(),
      transientEnvironment: z.boolean().optional(),
      reference: z.string().optional(),
    })
    .optional(),
  /** `commentTag` is no template in Argo: the notification config keeps it as written. */
  pullRequestComment: z.strictObject({ content: z.string().optional(), commentTag: z.string().optional() }).optional(),
  checkRun: z
    .strictObject({
      name: z.string().optional(),
      details_url: z.string().optional(),
      status: z.string().optional(),
      conclusion: z.string().optional(),
      started_at: z.string().optional(),
      completed_at: z.string().optional(),
      output: z.strictObject({ title: z.string().optional(), summary: z.string().optional(), text: z.string().optional() }).optional(),
    })
    .optional(),
  repositoryDispatch: z.strictObject({ event_type: z.string().optional(), client_payload: z.string().optional() }).optional(),
});

export type GithubTemplate = z.output<typeof githubTemplateSchema>;
