export { EvaluatorErrorCodes, ExpressionError, NotReadyError, TemplateError, type EvaluatorErrorCode } from './errors.ts';
export { compileExpression, evaluateCondition, type CompiledExpression } from './expr/index.ts';
export { compileTemplate, type CompiledTemplate } from './template/index.ts';
export { createHostFunctions, GoDuration, GoTime, type HostClock } from './host/index.ts';
export {
  parseNotificationConfig,
  type KeyPosition,
  type NotificationConfigInput,
  type ParseNotificationConfigOptions,
  type ParsedNotificationConfig,
} from './config/parse-notification-config.ts';
export { readConfigMapYaml, readSecretYaml, type ConfigMapData } from './config/config-files.ts';
export type { ConfigIssue, GlobalSubscription, NotificationConfig, ServiceEntry, Trigger, TriggerCondition } from './config/notification-config.ts';
export type { NotificationTemplate, RenderedNotification } from './config/notification-template.ts';
export { Evaluator, type ConditionOutcome, type Decision, type EvaluatorOptions, type Plan } from './evaluate/evaluator.ts';
export { DEFAULT_ANNOTATION_PREFIX, resolveSubscriptions, splitRecipients, type Subscription } from './subscriptions/subscriptions.ts';
export { parseLabelSelector, LabelSelectorError, type LabelSelector } from './subscriptions/label-selector.ts';
export { conditionKey, idempotencyKey, stateKey, type StateKeyParts } from './dedup/state-keys.ts';
export { startEvaluatorWorker, variableName, type EvaluatorWorkerOptions } from './runtime/evaluator-worker.ts';
