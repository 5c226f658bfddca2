export { NotificationConfigErrorCodes, type NotificationConfigErrorCode } from './errors.ts';
export type { CompiledExpression, CompiledTemplate, ConfigCompilers } from './compilers.ts';
export type { ConfigIssue, GlobalSubscription, NotificationConfig, SecretSource, ServiceEntry, Trigger, TriggerCondition } from './notification-config.ts';
export { renderTemplates, type NotificationTemplate, type RenderedNotification } from './notification-template.ts';
export {
  NotificationConfigService,
  type ConfigRejection,
  type NotificationConfigInput,
  type NotificationConfigProvider,
  type NotificationConfigServiceOptions,
} from './notification-config-service.ts';
export { compileNotificationConfig, type CompileNotificationConfigOptions, type CompiledNotificationConfig } from './compile-notification-config.ts';
export { FileConfigSource, type FileConfigSourceOptions } from './file-config-source.ts';
export { KubeConfigSource, type KubeConfigSourceOptions } from './kube-config-source.ts';
export { NamespaceConfigSource, type NamespaceConfigSourceOptions } from './namespace-config-source.ts';
export { readConfigMapYaml, readSecretYaml, type ConfigMapData } from './config-files.ts';
export type { KeyPosition } from './config-issues.ts';
export { annotationSubscriptionShape, canonicalizeKeys, type KeyShape } from './canonical-keys.ts';
export { conditionKey } from './condition-key.ts';
export { parseLabelSelector, LabelSelectorError, type LabelSelector } from './label-selector.ts';
export { variableName } from './variable-name.ts';
