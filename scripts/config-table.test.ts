import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settings } from '../src/config/index.ts';
import { configTable, withConfigTable } from './config-table.ts';

describe('README configuration table', () => {
  it('lists every setting of the schema', () => {
    const table = configTable();
    for (const spec of Object.values(settings)) expect(table).toContain(`\`${spec.env}\``);
  });

  it('is up to date in README.md', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(withConfigTable(readme)).toBe(readme);
  });
});
