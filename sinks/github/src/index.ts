export { default } from './github-sink.ts';
export {
  githubServiceConfigSchema,
  githubPluginConfigSchema,
  githubTemplateSchema,
  DEFAULT_REPO_URL_PATH,
  DEFAULT_REVISION_PATH,
  type GithubServiceConfig,
  type GithubServiceConfigInput,
  type GithubPluginConfig,
  type GithubTemplate,
} from './github.config.ts';
export { commentMarker, pullRequestCommentContent } from './github-actions.ts';
