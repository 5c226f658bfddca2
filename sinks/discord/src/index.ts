export { default } from './discord-sink.ts';
export {
  discordServiceConfigSchema,
  discordPluginConfigSchema,
  discordTemplateSchema,
  type DiscordServiceConfig,
  type DiscordServiceConfigInput,
  type DiscordPluginConfig,
} from './discord.config.ts';
export { discordBody, executeUrl, type DiscordBlock } from './discord-message.ts';
