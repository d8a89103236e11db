import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: './data',
      deletedRetentionDays: 30,
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('reads JOINERY_* variables and DATABASE_URL', () => {
    const config = loadConfig({
      JOINERY_PORT: '9090',
      JOINERY_HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u@h/db',
    });
    expect(config).toMatchObject({ port: 9090, host: '0.0.0.0', databaseUrl: 'postgres://u@h/db' });
  });

  it('rejects an invalid value naming the variable', () => {
    expect(problems({ JOINERY_PORT: 'abc' })).toEqual([
      expect.stringMatching(/^JOINERY_PORT: must be a whole number/),
    ]);
    expect(problems({ JOINERY_PORT: '70000' })).toEqual([expect.stringContaining('JOINERY_PORT')]);
  });

  it('rejects an unknown JOINERY_ variable instead of ignoring a typo', () => {
    expect(problems({ JOINERY_PROT: '1' })).toEqual([
      expect.stringMatching(/^JOINERY_PROT: unknown setting/),
    ]);
  });

  it('does not echo the database URL when it is invalid', () => {
    const [p] = problems({ DATABASE_URL: 'mysql://root:secret@h/db' });
    expect(p).toContain('DATABASE_URL');
    expect(p).not.toContain('secret');
  });

  it('reports every problem at once', () => {
    expect(problems({ JOINERY_PORT: 'x', JOINERY_LOG_LEVEL: 'loud', JOINERY_X: '1' })).toHaveLength(3);
  });

  it('reads a JSON config file, with environment variables winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'joinery-config-'));
    const file = join(dir, 'joinery.json');
    writeFileSync(file, JSON.stringify({ port: 7070, deletedRetentionDays: 7, host: '0.0.0.0' }));
    const config = loadConfig({ JOINERY_CONFIG_FILE: file, JOINERY_HOST: '127.0.0.2' });
    expect(config).toMatchObject({ port: 7070, deletedRetentionDays: 7, host: '127.0.0.2' });
  });

  it('rejects unknown keys and bad JSON in the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'joinery-config-'));
    const file = join(dir, 'joinery.json');
    writeFileSync(file, JSON.stringify({ port: 1, bogus: true }));
    expect(problems({ JOINERY_CONFIG_FILE: file })).toEqual([expect.stringContaining('unknown key "bogus"')]);
    writeFileSync(file, '{ nope');
    expect(problems({ JOINERY_CONFIG_FILE: file })).toEqual([expect.stringContaining('not valid JSON')]);
  });
});
