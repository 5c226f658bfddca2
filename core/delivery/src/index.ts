export { startSinkRunner, type SinkRunnerOptions, type SinkDeclaration, type ConfiguredService, type SinkCall } from './sink-runner.ts';
export { deliveryPolicy, notificationRetry, type DeliveryPolicy, type NotificationRetry, type SinkSettings, type SinkTypeSettings } from './delivery-policy.ts';
export { DeliveryErrorCodes, SendFailedError, StepAsideError } from './errors.ts';
export { startUndeliverableSweeper, DEFAULT_UNDELIVERABLE_GRACE_MS, type UndeliverableSweeperOptions } from './undeliverable-sweeper.ts';
