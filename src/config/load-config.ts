import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { Value } from 'typebox/value';
import { type Config, ConfigSchema } from './config-schema.ts';

export class ConfigError extends Error {
  readonly problems: string[];
  /** Unknown keys seen before the failure, reported with it. */
  readonly warnings: string[];
  constructor(problems: string[], warnings: string[] = []) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
    this.warnings = warnings;
  }
}

export interface LoadedConfig {
  config: Config;
  warnings: string[];
}

const KEYS = Object.keys(ConfigSchema.properties);
// Prefixes that mark a variable as meant for this service, so a typo is reported.
const OWN_PREFIXES = ['GATEHOUSE_', 'DATABASE_', 'ARGON2_'];

// The YAML parser is loaded only for a YAML CONFIG_FILE (synchronously: configuration loads before
// anything else); every other process is spared holding it.
const parseYaml = (text: string): unknown =>
  (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

function readFile(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  const data: unknown = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([`CONFIG_FILE: ${path} must hold an object of configuration keys`]);
  }
  return data as Record<string, unknown>;
}

/**
 * Builds the one configuration object: defaults, then CONFIG_FILE, then environment variables.
 * Every invalid key is reported at once; the result is frozen. This module is the only reader of
 * `process.env`: everything else receives the frozen object.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): LoadedConfig {
  const warnings: string[] = [];
  const raw: Record<string, unknown> = {};
  const file = env.CONFIG_FILE;
  if (file) {
    for (const [key, value] of Object.entries(readFile(file))) {
      if (KEYS.includes(key)) raw[key] = value;
      else warnings.push(`unknown configuration key in ${file}: ${key}`);
    }
  }
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (KEYS.includes(key)) raw[key] = value;
    else if (OWN_PREFIXES.some((p) => key.startsWith(p))) warnings.push(`unknown configuration key: ${key}`);
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const problems = [...Value.Errors(ConfigSchema, converted)].map((e) =>
    describe(e.instancePath, e.message, e.keyword, e.params),
  );
  if (problems.length > 0) throw new ConfigError(dedupe(problems), warnings);
  const config = converted as Config;
  const insecure = insecureDefaults(config);
  if (config.NODE_ENV === 'production' && insecure.length > 0) {
    throw new ConfigError(
      insecure.map((i) => `${i} (refused in production)`),
      warnings,
    );
  }
  return { config: Object.freeze({ ...config }), warnings };
}

function describe(pointer: string, message: string, keyword: string, params: unknown): string {
  const key = pointer.replace(/^\//, '');
  if (keyword === 'enum') {
    const allowed = (ConfigSchema.properties as unknown as Record<string, { enum?: string[] }>)[
      key
    ]?.enum?.join(', ');
    return `${key}: must be one of ${allowed}`;
  }
  if (keyword === 'additionalProperties') return `unknown key ${JSON.stringify(params)}`;
  return `${key}: ${message}`;
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}

/** The development conveniences that must never reach production, by the key that enables each. */
export function insecureDefaults(config: Config): string[] {
  const found: string[] = [];
  if (!config.KEY_ENCRYPTION_SECRET)
    found.push('KEY_ENCRYPTION_SECRET is empty: a generated key-encryption secret');
  if (!config.SMTP_URL) found.push('SMTP_URL is empty: the file mailer');
  return found;
}

export function publicUrl(config: Config): string {
  return (config.PUBLIC_URL || `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

export function trustedProxies(config: Config): string[] {
  return config.TRUSTED_PROXIES.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
