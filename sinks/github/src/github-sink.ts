import { coreServices, defineSink, DeliveryError, isDeliveryError, maskErrorSecrets, untilAborted, serviceOptionsReader } from '@herald/plugin-sdk';
import { ClientPool } from './client-pool.ts';
import { githubError } from './errors.ts';
import { commentOnPullRequests, createCheckRun, createDeploymentStatus, createStatus, dispatch, type Target } from './github-actions.ts';
import { githubPluginConfigSchema, githubServiceConfigSchema, githubTemplateSchema, type GithubTemplate } from './github.config.ts';
import { repoFullName } from './repo-url.ts';

/** What of a private key must never be shown: the whole PEM and each line of its body. */
function keySecrets(privateKey: string): string[] {
  return [privateKey, ...privateKey.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith('-----'))];
}

/**
 * Argo's github service, as a GitHub App installation (@octokit/auth-app), with the official REST client:
 * per template, a commit status, a deployment and its status, a comment on the revision's pull requests
 * (updated in place by `commentTag`), a check run and a repository dispatch, in Argo's order; one attempt
 * per `send`. GitHub's rate limits are honoured (Retry-After, x-ratelimit-reset); its refusals are
 * permanent with its message.
 */
export default defineSink({
  id: 'github',
  description: "Posts commit statuses, deployments, PR comments, check runs and dispatches to GitHub, like Argo's github service",
  sdkVersion: '^1.0.0',
  serviceTypes: ['github'],
  configSchema: githubPluginConfigSchema,
  serviceConfigSchema: githubServiceConfigSchema,
  templateSchema: githubTemplateSchema,
  // GitHub's secondary limit on content-creating requests: about 80 a minute (500 an hour) per App.
  limits: { perSecond: 1, burst: 5 },
  deps: { logger: coreServices.logger, clock: coreServices.clock },
  async init({ config, logger, clock }) {
    const pool = new ClientPool();
    // Aborted by stop(): later sends fail at once, calls in flight are cut.
    const stopping = new AbortController();
    let stopped: Promise<void> | undefined;
    const serviceConfig = serviceOptionsReader('github', githubServiceConfigSchema);

    return {
      async send(notification, { signal, service }) {
        const what = `github "${service.name}"`;
        if (stopping.signal.aborted) throw DeliveryError.transient(`${what}: the sink is stopped`, { cause: stopping.signal.reason });
        const options = serviceConfig(service);
        const block = notification.rendered.github as Partial<GithubTemplate> | undefined;
        if (!block || typeof block !== 'object') throw DeliveryError.permanent(`${what}: template "${notification.template}" has no github block`);
        const repoURL = block.repoURLPath ?? '';
        const name = repoFullName(repoURL);
        if (!name) throw DeliveryError.permanent(`${what}: github.repoURLPath rendered to "${repoURL}", which names no owner/repository`);
        const revision = block.revisionPath ?? '';
        if (!revision) throw DeliveryError.permanent(`${what}: github.revisionPath rendered empty (no revision to report on)`);

        const timeoutMs = options.timeout ?? config.timeout;
        const timeout = AbortSignal.timeout(timeoutMs);
        const bound = AbortSignal.any([signal, stopping.signal, timeout]);
        const secrets = [...keySecrets(options.privateKey), ...(service.secrets ?? [])];
        let step = 'authenticate';
        const target: Target = {
          ...name,
          revision,
          message: typeof notification.rendered.message === 'string' ? notification.rendered.message : '',
          signal: bound,
          step: (s) => {
            step = s;
          },
        };
        const octokit = pool.get(service.name, options, timeoutMs);
        const run = async () => {
          if (block.status) await createStatus(octokit, target, block.status);
          if (block.deployment) await createDeploymentStatus(octokit, target, block.deployment);
          if (block.pullRequestComment) await commentOnPullRequests(octokit, target, block.pullRequestComment);
          if (block.checkRun) await createCheckRun(octokit, target, block.checkRun, notification.template);
          if (block.repositoryDispatch) await dispatch(octokit, target, block.repositoryDispatch, notification.template);
        };
        try {
          await untilAborted(run(), bound);
        } catch (err) {
          if (isDeliveryError(err)) throw maskErrorSecrets(err.message.startsWith(what) ? err : prefixed(what, err), secrets);
          if (bound.aborted) {
            const reason = timeout.aborted && !signal.aborted && !stopping.signal.aborted ? new Error(`no answer within ${timeoutMs} ms`) : bound.reason;
            throw maskErrorSecrets(DeliveryError.aborted(`${what}: ${step}`, reason), secrets);
          }
          throw maskErrorSecrets(githubError(`${what}: ${step}`, err, clock.now().getTime()), secrets);
        }
        logger.debug({ service: service.name, repo: `${name.owner}/${name.repo}`, revision, stateKey: notification.stateKey }, 'github notification sent');
      },

      stop() {
        stopped ??= (async () => {
          stopping.abort(new DOMException('github sink stopped', 'AbortError'));
          pool.clear();
        })();
        return stopped;
      },
    };
  },
});

/** A DeliveryError made below the sink (a template check), with the service named first like every other. */
function prefixed(what: string, err: DeliveryError): DeliveryError {
  return err.retryable ? DeliveryError.transient(`${what}: ${err.message}`, { cause: err.cause, retryAfterMs: err.retryAfterMs }) : DeliveryError.permanent(`${what}: ${err.message}`, err.cause);
}
