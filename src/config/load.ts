import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Config, type SettingKey, settings } from './schema.ts';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const keys = Object.keys(settings) as SettingKey[];
const envNames = new Set(keys.map((k) => settings[k].env));

function readFileSettings(path: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`JOINERY_CONFIG_FILE: cannot read ${path}: ${(err as Error).message}`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`JOINERY_CONFIG_FILE: ${path} must hold a JSON object`);
      return {};
    }
    return parsed as Record<string, unknown>;
  } catch (err) {
    problems.push(`JOINERY_CONFIG_FILE: ${path} is not valid JSON: ${(err as Error).message}`);
    return {};
  }
}

/**
 * Builds the configuration from environment variables and the optional JSON config file.
 * Unknown JOINERY_* variables and unknown file keys are errors: a typo must not silently fall back
 * to a default. All problems are reported together.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    if (name.startsWith('JOINERY_') && !envNames.has(name)) {
      problems.push(`${name}: unknown setting (known: ${[...envNames].sort().join(', ')})`);
    }
  }
  const filePath = env.JOINERY_CONFIG_FILE;
  const fileValues = filePath ? readFileSettings(resolve(filePath), problems) : {};
  for (const key of Object.keys(fileValues)) {
    if (!keys.includes(key as SettingKey) || key === 'configFile') {
      problems.push(
        `${filePath}: unknown key "${key}" (known: ${keys.filter((k) => k !== 'configFile').join(', ')})`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const spec = settings[key];
    const fromEnv = env[spec.env];
    const fromFile = fileValues[key];
    const raw =
      fromEnv !== undefined && fromEnv !== ''
        ? fromEnv
        : fromFile !== undefined
          ? String(fromFile)
          : spec.default;
    const source =
      fromEnv !== undefined && fromEnv !== ''
        ? spec.env
        : fromFile !== undefined
          ? `${filePath}: ${key}`
          : `default of ${spec.env}`;
    const result = spec.schema.safeParse(raw);
    if (result.success) {
      out[key] = result.data;
    } else {
      const shown = spec.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${source}: ${result.error.issues.map((i) => i.message).join('; ')} (got ${shown})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as Config;
}
