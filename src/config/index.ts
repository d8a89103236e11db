export { ConfigError, loadConfig } from './load.ts';
export { type Config, type SettingKey, type SettingSpec, settings } from './schema.ts';
