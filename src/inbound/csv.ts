import { parse } from 'csv-parse/sync';
import { err, failure, ok, type Result } from '../core/index.ts';
import type { IncomingRecord } from './runs.ts';

/**
 * Parses a CSV export: the first row names the columns; `headers` renames columns to source attribute
 * names (other columns keep their header). Empty cells are absent values, so a blank column never
 * clears what the directory holds; map an explicit value to clear.
 */
export function parseCsv(
  text: string,
  options: { delimiter?: string; headers?: Record<string, string> } = {},
): Result<IncomingRecord[]> {
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), {
      delimiter: options.delimiter ?? ',',
      relax_column_count: false,
      skip_empty_lines: true,
      trim: true,
    }) as string[][];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return err(failure('inbound.invalid_csv', `the CSV could not be read: ${message}`));
  }
  const [header, ...body] = rows;
  if (!header || header.length === 0) return err(failure('inbound.invalid_csv', 'the CSV has no header row'));
  const rename = new Map(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const names = header.map((h) => rename.get(h.toLowerCase()) ?? h);
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') return err(failure('inbound.invalid_csv', 'the CSV header has an empty column name'));
    if (seen.has(name.toLowerCase()))
      return err(failure('inbound.invalid_csv', `the CSV header names "${name}" twice`));
    seen.add(name.toLowerCase());
  }
  if (body.length === 0) return err(failure('inbound.invalid_csv', 'the CSV has a header but no records'));
  return ok(
    body.map((row) => {
      const data: Record<string, unknown> = {};
      row.forEach((cell, i) => {
        if (cell !== '') data[names[i] as string] = cell;
      });
      return { data };
    }),
  );
}
