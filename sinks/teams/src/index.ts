export { default } from './teams-sink.ts';
export {
  teamsServiceConfigSchema,
  teamsPluginConfigSchema,
  teamsTemplateSchema,
  type TeamsServiceConfig,
  type TeamsServiceConfigInput,
  type TeamsPluginConfig,
} from './teams.config.ts';
export { teamsBody, type TeamsBlock } from './teams-card.ts';
