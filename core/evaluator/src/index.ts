export { EvaluatorErrorCodes, ExpressionError, NotReadyError, TemplateError, type EvaluatorErrorCode } from './errors.ts';
export { compileExpression, evaluateCondition, type CompiledExpression } from './expr/index.ts';
export { compileTemplate, type CompiledTemplate } from './template/index.ts';
export { createHostFunctions, GoDuration, GoTime, type HostClock } from './host/index.ts';
export { parseNotificationConfig, type ParseNotificationConfigOptions } from './config/parse-notification-config.ts';
export { configCompilers } from './config/config-compilers.ts';
// The config's types, which the evaluator's API speaks (@herald/core-notification-config owns them).
export type {
  ConfigIssue,
  GlobalSubscription,
  NotificationConfig,
  NotificationTemplate,
  RenderedNotification,
  ServiceEntry,
  Trigger,
  TriggerCondition,
} from '@herald/core-notification-config';
export { Evaluator, type ConditionOutcome, type Decision, type EvaluatorOptions, type Plan } from './evaluate/evaluator.ts';
export { planProblems } from './evaluate/plan-problems.ts';
export { DEFAULT_ANNOTATION_PREFIX, resolveSubscriptions, splitRecipients, type Subscription } from './subscriptions/subscriptions.ts';
export { conditionKey, idempotencyKey, stateKey, type StateKeyParts } from './dedup/state-keys.ts';
export { startEvaluatorWorker, type EvaluatorWorkerOptions } from './runtime/evaluator-worker.ts';
