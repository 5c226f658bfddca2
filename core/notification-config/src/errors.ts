export const NotificationConfigErrorCodes = {
  /** A notification config (ConfigMap/Secret) that cannot be read, or a part of it that cannot be used. */
  invalid: 'HERALD_ERR_NOTIFICATION_CONFIG',
  /** The ConfigMap or Secret cannot be watched: no permission, or the API server did not answer. */
  unreadable: 'HERALD_ERR_NOTIFICATION_CONFIG_UNREADABLE',
  /** A trigger or template was asked of a process that was given no compilers (a sink-only process). */
  notCompiled: 'HERALD_ERR_NOTIFICATION_CONFIG_NOT_COMPILED',
} as const;
export type NotificationConfigErrorCode = (typeof NotificationConfigErrorCodes)[keyof typeof NotificationConfigErrorCodes];

