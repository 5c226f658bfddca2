export { default } from './teams-workflows-sink.ts';
export {
  teamsWorkflowsServiceConfigSchema,
  teamsWorkflowsPluginConfigSchema,
  teamsWorkflowsTemplateSchema,
  type TeamsWorkflowsServiceConfig,
  type TeamsWorkflowsServiceConfigInput,
  type TeamsWorkflowsPluginConfig,
} from './teams-workflows.config.ts';
export { workflowsBody, type TeamsWorkflowsBlock } from './adaptive-card.ts';
