// Where one drain batch spends its time, on the store of the inbound benchmark after a phase: the last
// batch of records of that phase is processed again, through the server's own code (processBatch, which
// prepares and commits through the directory, then saveResults), as joiners (new people), changed
// (every record a mover) and unchanged, each in a transaction rolled back. A Kysely plugin captures and times every
// statement; the slowest ones are then replayed in order under EXPLAIN (ANALYZE, BUFFERS), again in a
// transaction rolled back. The store is scratch and dropped right after, and nothing is committed.
import {
  CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
  type UnknownRow,
} from 'kysely';
import { newId, systemClock, systemContext } from '../src/core/index.ts';
import type { Database, Tx } from '../src/db/index.ts';
import { createDirectory, type User } from '../src/directory/index.ts';
import { findUniquenessConflicts } from '../src/directory/user-writes.ts';
import { compileSource } from '../src/inbound/compiled-source.ts';
import { processBatch } from '../src/inbound/drain.ts';
import { saveResults } from '../src/inbound/results.ts';
import type { InboundDeps, InputRecord } from '../src/inbound/types.ts';
import { fmtPct, table } from './support.ts';

interface Captured {
  text: string;
  parameters: readonly unknown[];
  ms: number;
}

class Capture implements KyselyPlugin {
  readonly statements: Captured[] = [];
  private readonly open = new Map<string, { text: string; parameters: readonly unknown[]; t0: number }>();
  constructor(
    private readonly compile: (
      node: RootOperationNode,
      id: PluginTransformQueryArgs['queryId'],
    ) => CompiledQuery,
  ) {}

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    const compiled = this.compile(node, queryId);
    this.open.set(queryId.queryId, {
      text: compiled.sql,
      parameters: compiled.parameters,
      t0: performance.now(),
    });
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const entry = this.open.get(queryId.queryId);
    if (entry) {
      this.open.delete(queryId.queryId);
      this.statements.push({
        text: entry.text,
        parameters: entry.parameters,
        ms: performance.now() - entry.t0,
      });
    }
    return result;
  }
}

class Rollback extends Error {}

const short = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 100);
const explainable = (text: string) => /^\s*(select|insert|update|delete|with)\b/i.test(text);

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Actual Total Time'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function planLines(node: PlanNode, depth = 0): string[] {
  let text = node['Node Type'];
  if (node['Index Name']) text += ` using ${node['Index Name']}`;
  else if (node['Relation Name']) text += ` on ${node['Relation Name']}`;
  const notes = [
    `rows ${node['Actual Rows'] ?? '?'}${(node['Actual Loops'] ?? 1) > 1 ? ` x${node['Actual Loops']} loops` : ''}`,
    `${(node['Actual Total Time'] ?? 0).toFixed(1)} ms`,
  ];
  if (node['Rows Removed by Filter']) notes.push(`removed by filter ${node['Rows Removed by Filter']}`);
  const line = `${'  '.repeat(depth)}${text} (${notes.join(', ')})`;
  if (depth >= 6) return [line];
  return [line, ...(node.Plans ?? []).flatMap((p) => planLines(p, depth + 1))];
}

/** One batch through the server's code; returns the statements it ran, timed, and the whole time. */
async function runBatch(
  database: Database,
  records: InputRecord[],
): Promise<{ statements: Captured[]; ms: number }> {
  const db = database.db;
  const capture = new Capture((node, id) => db.getExecutor().compileQuery(node, id));
  const traced = db.withPlugin(capture);
  const found = await db
    .selectFrom('inbound_sources')
    .select(['config', 'version'])
    .where('id', '=', 'hr')
    .executeTakeFirst();
  const source = compileSource('hr', found?.version ?? 1, found?.config);
  if (!source.ok) throw new Error(`the hr source does not compile: ${source.error.message}`);
  // Only what preparing, committing and saving a batch use; the job queue, logger and secrets stay out.
  const deps: InboundDeps = {
    ...({} as InboundDeps),
    db: traced,
    clock: systemClock,
    directory: createDirectory({ db: traced, clock: systemClock, retentionDays: 30 }),
    limits: { bulkMaxOperations: 50, maxPayloadBytes: 1 << 26, batchSize: records.length },
  };
  const ctx = systemContext('bench-explain');
  let ms = 0;
  await traced
    .transaction()
    .execute(async (tx: Tx) => {
      const t0 = performance.now();
      const results = await processBatch(tx, deps, source.value, records, ctx, 'apply');
      await saveResults(tx, deps, results, 'apply');
      ms = performance.now() - t0;
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return { statements: capture.statements, ms };
}

/** Replays `statements` in order in a rolled-back transaction, EXPLAIN ANALYZE for those in `explain`. */
async function replay(
  database: Database,
  statements: Captured[],
  explain: Set<number>,
): Promise<Map<number, string[]>> {
  const plans = new Map<number, string[]>();
  await database.db
    .transaction()
    .execute(async (tx) => {
      for (const [i, s] of statements.entries()) {
        if (/^\s*(savepoint|release|rollback)\b/i.test(s.text)) continue;
        if (!explain.has(i)) {
          await tx.executeQuery(CompiledQuery.raw(s.text, [...s.parameters]));
          continue;
        }
        const { rows } = await tx.executeQuery<Record<string, unknown>>(
          CompiledQuery.raw(`explain (analyze, buffers, format json) ${s.text}`, [...s.parameters]),
        );
        const raw = rows[0]?.['QUERY PLAN'];
        const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
        const root = (Array.isArray(parsed) ? parsed[0] : undefined) as
          | { Plan: PlanNode; 'Execution Time': number }
          | undefined;
        plans.set(
          i,
          root ? [`execution ${root['Execution Time'].toFixed(1)} ms`, ...planLines(root.Plan)] : ['no plan'],
        );
      }
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return plans;
}

/** The report: for a changed and an unchanged batch, the statements by time and the plans of the slowest. */
export async function explainHot(database: Database, batch: number): Promise<string[]> {
  const { rows } = await sql<{
    run_id: string;
    n: number;
    person_key: string | null;
    data: Record<string, unknown>;
  }>`
    select run_id, n, person_key, data from inbound_records where source_id = 'hr' order by seq desc limit ${batch}`.execute(
    database.db,
  );
  const last = rows.reverse();
  const out: string[] = [];
  // Joiners: the same records as new people (another externalId, userName and e-mail), managers existing.
  const joiner = (data: Record<string, unknown>) => {
    const userName = `new.${String(data.userName)}`;
    return {
      ...data,
      externalId: `NEW-${String(data.externalId)}`,
      userName,
      emails: [{ value: userName, type: 'work', primary: true }],
    };
  };
  for (const scenario of ['created', 'changed', 'unchanged'] as const) {
    const records: InputRecord[] = last.map((r) => ({
      runId: r.run_id,
      n: r.n,
      personKey: scenario === 'created' ? `NEW-${String(r.data.externalId)}` : r.person_key,
      format: 'scim',
      data:
        scenario === 'created'
          ? joiner(r.data)
          : scenario === 'changed'
            ? { ...r.data, title: `Staff ${String(r.data.title)}` }
            : r.data,
    }));
    const { statements, ms } = await runBatch(database, records);
    const sqlMs = statements.reduce((a, s) => a + s.ms, 0);
    out.push(
      `${scenario} batch of ${records.length} records: ${ms.toFixed(0)} ms in the transaction, ` +
        `${statements.length} statements ${sqlMs.toFixed(0)} ms, JavaScript and round trips ${(ms - sqlMs).toFixed(0)} ms`,
    );
    const ranked = statements.map((s, i) => ({ s, i })).sort((a, b) => b.s.ms - a.s.ms);
    out.push(
      ...table(
        ['statement (slowest first)', 'ms', 'share'],
        ranked.slice(0, 8).map(({ s }) => [short(s.text), s.ms.toFixed(1), fmtPct(s.ms / ms)]),
      ).split('\n'),
    );
    const slowest = ranked.filter(({ s }) => explainable(s.text)).slice(0, 3);
    const plans = await replay(database, statements, new Set(slowest.map((x) => x.i)));
    for (const { s, i } of slowest) {
      out.push(`plan of "${short(s.text).slice(0, 70)}" (${s.ms.toFixed(1)} ms in the batch):`);
      out.push(...(plans.get(i) ?? []).map((line) => `    ${line}`));
    }
    out.push('');
  }
  return out;
}

/**
 * The directory's uniqueness pre-check (findUniquenessConflicts) for `count` joiners that do not exist,
 * run now through the server's code, then under EXPLAIN ANALYZE; read-only, so it can run during a
 * phase (PostgreSQL) without blocking the drainer. With pgstattuple, the trigram index's pending list.
 */
export async function probeUniqueness(database: Database, count: number, seq: number): Promise<string> {
  const db = database.db;
  const capture = new Capture((node, id) => db.getExecutor().compileQuery(node, id));
  const candidates = Array.from({ length: count }, (_, i) => {
    const userName = `probe.${seq}.${i}@acme.example`;
    return { id: newId(), userName, externalId: null, employeeId: `PROBE-${seq}-${i}` } as unknown as User;
  });
  const t0 = performance.now();
  await findUniquenessConflicts(db.withPlugin(capture) as unknown as Tx, candidates);
  const ms = performance.now() - t0;
  const statement = capture.statements[0];
  let plan = 'no statement captured';
  if (statement) {
    const { rows } = await db.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(`explain (analyze, format json) ${statement.text}`, [...statement.parameters]),
    );
    const raw = rows[0]?.['QUERY PLAN'];
    const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
    const root = (Array.isArray(parsed) ? parsed[0] : undefined) as
      | { Plan: PlanNode; 'Execution Time': number }
      | undefined;
    plan = root
      ? `explain ${root['Execution Time'].toFixed(0)} ms: ${planLines(root.Plan)
          .map((l) => l.trim())
          .filter((l) => /Scan/.test(l))
          .join('; ')}`
      : 'no plan';
  }
  let pending = '';
  try {
    const { rows } = await sql<{ pages: number; tuples: number }>`
      select pending_pages as pages, pending_tuples as tuples from pgstatginindex('users_user_name_trgm_idx')`.execute(
      db,
    );
    if (rows[0])
      pending = `; users_user_name_trgm_idx pending list ${rows[0].pages} pages, ${rows[0].tuples} tuples`;
  } catch {
    pending = '';
  }
  const { rows: users } = await sql<{ n: number }>`select count(*)::int as n from users`.execute(db);
  return `${users[0]?.n ?? '?'} users: pre-check ${ms.toFixed(0)} ms; ${plan}${pending}`;
}
