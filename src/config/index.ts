export type { Config } from './config-schema.ts';
export { ConfigSchema } from './config-schema.ts';
export {
  ConfigError,
  insecureDefaults,
  type LoadedConfig,
  loadConfig,
  publicUrl,
  trustedProxies,
} from './load-config.ts';
