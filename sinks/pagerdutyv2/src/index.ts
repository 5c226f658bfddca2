export { default } from './pagerdutyv2-sink.ts';
export {
  pagerdutyv2ServiceConfigSchema,
  pagerdutyv2PluginConfigSchema,
  pagerdutyv2TemplateSchema,
  type PagerDutyV2ServiceConfig,
  type PagerDutyV2ServiceConfigInput,
} from './pagerdutyv2.config.ts';
export { buildEvent, type TriggerEvent } from './pagerduty-event.ts';
