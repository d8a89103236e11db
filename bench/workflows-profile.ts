// `--profile` of the lifecycle-workflows benchmark (B6): a Kysely plugin on the app's own database
// handle records every statement Joinery compiles (text, parameters, time from compilation to parsed
// result) and counts the ones it does not compile (pg-boss's sends inside a transaction). From those:
// statements per pass and per task, where their time goes, and the slowest pass statement replayed
// under EXPLAIN (ANALYZE, BUFFERS) in a transaction rolled back.
import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import type { Db } from '../src/db/index.ts';
import { fmtInt, fmtPct, table } from './support.ts';

export interface Captured {
  text: string;
  parameters: readonly unknown[];
  ms: number;
}

export class Capture implements KyselyPlugin {
  statements: Captured[] = [];
  /** Results of statements sent already compiled (CompiledQuery.raw: pg-boss inside our transactions). */
  uncompiled = 0;
  recording = false;
  private readonly open = new Map<string, { text: string; parameters: readonly unknown[]; t0: number }>();

  constructor(private readonly base: Db) {}

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (this.recording) {
      const compiled = this.base.getExecutor().compileQuery(node, queryId);
      this.open.set(queryId.queryId, {
        text: compiled.sql,
        parameters: compiled.parameters,
        t0: performance.now(),
      });
    }
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (!this.recording) return result;
    const entry = this.open.get(queryId.queryId);
    if (entry) {
      this.open.delete(queryId.queryId);
      this.statements.push({
        text: entry.text,
        parameters: entry.parameters,
        ms: performance.now() - entry.t0,
      });
    } else this.uncompiled++;
    return result;
  }

  /** Starts a fresh recording. */
  start(): void {
    this.statements = [];
    this.uncompiled = 0;
    this.open.clear();
    this.recording = true;
  }

  stop(): { statements: Captured[]; uncompiled: number } {
    this.recording = false;
    return { statements: this.statements, uncompiled: this.uncompiled };
  }
}

const short = (text: string, width = 90) => text.replace(/\s+/g, ' ').trim().slice(0, width);

/** Statements grouped by their first words (same shape = same label), most time first. */
export function statementTable(
  statements: readonly Captured[],
  wallS: number,
  per: number,
  perLabel: string,
) {
  const groups = new Map<string, { n: number; ms: number }>();
  for (const s of statements) {
    const key = short(s.text, 80);
    const g = groups.get(key) ?? { n: 0, ms: 0 };
    g.n += 1;
    g.ms += s.ms;
    groups.set(key, g);
  }
  const ranked = [...groups.entries()].sort((a, b) => b[1].ms - a[1].ms);
  return table(
    ['statement (first words)', 'count', `per ${perLabel}`, 'total s', 'share of wall'],
    ranked
      .slice(0, 14)
      .map(([key, g]) => [
        key,
        fmtInt(g.n),
        per > 0 ? (g.n / per).toFixed(2) : '-',
        (g.ms / 1000).toFixed(2),
        fmtPct(g.ms / 1000 / wallS),
      ]),
  );
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'CTE Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function planLines(node: PlanNode, depth = 0): string[] {
  let text = node['Node Type'];
  if (node['Index Name']) text += ` using ${node['Index Name']}`;
  else if (node['Relation Name']) text += ` on ${node['Relation Name']}`;
  else if (node['CTE Name']) text += ` ${node['CTE Name']}`;
  const loops = node['Actual Loops'] ?? 1;
  const notes = [
    `rows ${node['Actual Rows'] ?? '?'}${loops > 1 ? ` x${loops} loops` : ''}`,
    `${(node['Actual Total Time'] ?? 0).toFixed(1)} ms`,
  ];
  if (node['Rows Removed by Filter']) notes.push(`removed by filter ${node['Rows Removed by Filter']}`);
  if (node['Shared Hit Blocks'] || node['Shared Read Blocks'])
    notes.push(`buffers hit ${node['Shared Hit Blocks'] ?? 0} read ${node['Shared Read Blocks'] ?? 0}`);
  const line = `${'  '.repeat(depth)}${text} (${notes.join(', ')})`;
  if (depth >= 8) return [line];
  return [line, ...(node.Plans ?? []).flatMap((p) => planLines(p, depth + 1))];
}

class Rollback extends Error {}

/** EXPLAIN (ANALYZE, BUFFERS) of a captured statement, in a transaction rolled back. */
export async function explain(db: Db, statement: Captured): Promise<string[]> {
  let lines: string[] = ['no plan'];
  await db
    .transaction()
    .execute(async (tx) => {
      const { rows } = await tx.executeQuery<Record<string, unknown>>(
        CompiledQuery.raw(`explain (analyze, buffers, format json) ${statement.text}`, [
          ...statement.parameters,
        ]),
      );
      const raw = rows[0]?.['QUERY PLAN'];
      const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
      const root = (Array.isArray(parsed) ? parsed[0] : undefined) as
        | { Plan: PlanNode; 'Execution Time': number; 'Planning Time': number }
        | undefined;
      if (root)
        lines = [
          `planning ${root['Planning Time'].toFixed(1)} ms, execution ${root['Execution Time'].toFixed(1)} ms`,
          ...planLines(root.Plan),
        ];
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return lines;
}

export { short };
