import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigTable } from './config-table.ts';

// --check (CI): fail when the README's table differs from the schema. --write: regenerate it.
const mode = process.argv[2];
const path = 'README.md';
const current = readFileSync(path, 'utf8');
const wanted = withConfigTable(current);
if (mode === '--write') {
  writeFileSync(path, wanted);
  console.log('README.md configuration table updated');
} else if (current !== wanted) {
  console.error(
    'README.md configuration table is out of date with src/config/schema.ts: run `npm run docs:config`',
  );
  process.exit(1);
} else {
  console.log('README.md configuration table matches the config schema');
}
