export { default } from './telegram-sink.ts';
export {
  telegramServiceConfigSchema,
  telegramPluginConfigSchema,
  type TelegramServiceConfig,
  type TelegramServiceConfigInput,
  type TelegramPluginConfig,
} from './telegram.config.ts';
export { chatOf, type TelegramMessage } from './telegram-message.ts';
