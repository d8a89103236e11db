import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile, checkTree } from './dependency-rules.ts';

const src = resolve('/repo/src');
const at = (path: string) => resolve(src, path);

describe('dependency rules (DESIGN.md §4)', () => {
  it('allows a module to import a lower module through its index.ts', () => {
    expect(
      checkFile(src, at('directory/users.ts'), "import { recordAudit } from '../audit/index.ts';"),
    ).toEqual([]);
  });

  it('rejects reaching into another module past its index.ts', () => {
    const v = checkFile(src, at('directory/users.ts'), "import { searchAudit } from '../audit/search.ts';");
    expect(v.map((x) => x.message)).toEqual([expect.stringContaining('only through audit/index.ts')]);
  });

  it('rejects a lower module importing a higher one', () => {
    const v = checkFile(
      src,
      at('audit/record.ts'),
      "import { createDirectory } from '../directory/index.ts';",
    );
    expect(v.map((x) => x.message)).toEqual([expect.stringContaining('audit may not import directory')]);
  });

  it('rejects peers importing each other', () => {
    const v = checkFile(src, at('events/emit.ts'), "import { createJobs } from '../jobs/index.ts';");
    expect(v).toHaveLength(1);
  });

  it('keeps core free of internal imports', () => {
    const v = checkFile(src, at('core/errors.ts'), "import type { Db } from '../db/index.ts';");
    expect(v.map((x) => x.message)).toEqual(['core may import only core']);
  });

  it('keeps process.env inside src/config', () => {
    const v = checkFile(src, at('directory/users.ts'), 'const x = process.env.HOME;');
    expect(v.map((x) => x.message)).toEqual(['only src/config may read process.env']);
  });

  it('lets http and the CLI import any module index', () => {
    expect(
      checkFile(src, at('http/api/users.ts'), "import type { Directory } from '../../directory/index.ts';"),
    ).toEqual([]);
  });

  it('holds for the real source tree', () => {
    expect(checkTree(resolve('src'))).toEqual([]);
  });
});
