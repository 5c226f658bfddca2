export { default } from './mattermost-sink.ts';
export {
  mattermostServiceConfigSchema,
  mattermostPluginConfigSchema,
  mattermostTemplateSchema,
  type MattermostServiceConfig,
  type MattermostServiceConfigInput,
  type MattermostPluginConfig,
} from './mattermost.config.ts';
export { mattermostBody, postsUrl } from './mattermost-post.ts';
