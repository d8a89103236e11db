import { resolve } from 'node:path';
import { checkTree } from './dependency-rules.ts';

const violations = checkTree(resolve('src'));
for (const v of violations) console.error(`src/${v.file}:${v.line}: ${v.message}`);
if (violations.length > 0) {
  console.error(
    `${violations.length} dependency-rule violation(s); see DESIGN.md §4 and scripts/dependency-rules.ts`,
  );
  process.exit(1);
}
console.log('dependency rules hold');
