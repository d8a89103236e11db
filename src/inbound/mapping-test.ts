import type { SourceRecord, Value } from '../mapping/index.ts';
import type { CompiledSource } from './compiled-source.ts';
import { uniqueCheckOf } from './source-schema.ts';
import type { InboundDeps } from './types.ts';
import { toDirectoryInput } from './user-input.ts';

/**
 * What a source makes of one sample record, for `joinery mapping test` and the API: scoping, every
 * mapped target, the directory input and errors. Uniqueness checks (SelectUniqueValue) read the live
 * directory; nothing is written.
 */
export async function testMapping(deps: InboundDeps, source: CompiledSource, record: SourceRecord) {
  const scope = source.scope(record);
  const now = deps.clock.now();
  const mapped = await source.mappings.apply(record, {
    isCreate: true,
    now: () => now,
    isUnique: async (target, candidate) => {
      const attribute = uniqueCheckOf(target);
      if (!attribute) return true;
      return deps.db.transaction().execute((tx) => deps.directory.sync.isValueFree(tx, attribute, candidate));
    },
  });
  const converted = toDirectoryInput(mapped.values, null);
  const values: Record<string, Value> = {};
  for (const [k, v] of mapped.values) values[k] = v;
  return {
    inScope: scope.inScope,
    scoping: scope,
    source: record.toJSON(),
    values,
    directoryInput: converted.input,
    managerKey: converted.managerKey ?? null,
    errors: [...mapped.errors, ...converted.errors.map((e) => ({ ...e, code: 'mapping.invalid' }))],
  };
}
