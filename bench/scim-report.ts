// The tables of the SCIM benchmark: HTTP beside SQL, where the CPU went, the indexable rewrite, and
// the goals of the issue.
import type { Engine } from '../src/db/index.ts';
import type { CpuUse, RunStats } from './scim-drive.ts';
import { fmtInt, fmtPct, table } from './support.ts';

export interface Row {
  label: string;
  http?: RunStats & { cpu: CpuUse; matches: number };
  sql?: RunStats;
  rewrite?: RunStats;
}

export const fmtMs = (ms: number | undefined) =>
  ms === undefined || Number.isNaN(ms)
    ? '-'
    : ms < 10
      ? ms.toFixed(2)
      : ms < 100
        ? ms.toFixed(1)
        : fmtInt(ms);
const perRequest = (ms: number | undefined, n: number) =>
  ms === undefined || n === 0 ? '-' : (ms / n).toFixed(2);

export function printEngine(
  engine: Engine,
  users: number,
  rows: Row[],
  options: { concurrency: number; seconds: number },
): void {
  console.log(
    `\n${engine}, ${fmtInt(users)} users, concurrency ${options.concurrency}, ${options.seconds} s per side ` +
      `(latencies in ms)`,
  );
  console.log(
    table(
      ['query', 'HTTP p50', 'HTTP p99', 'HTTP req/s', 'SQL p50', 'SQL p99', 'SQL req/s', 'HTTP/SQL %'],
      rows.map((r) => [
        r.label,
        fmtMs(r.http?.p50),
        fmtMs(r.http?.p99),
        r.http ? fmtInt(r.http.rps) : '-',
        fmtMs(r.sql?.p50),
        fmtMs(r.sql?.p99),
        r.sql ? fmtInt(r.sql.rps) : '-',
        r.http && r.sql ? fmtPct(r.http.rps / r.sql.rps) : '-',
      ]),
    ),
  );
  console.log(
    'HTTP/SQL % = HTTP req/s / SQL req/s. SQL = what search.ts sends for the request: the page, and when it ' +
      'is not the whole answer the outbox mark and count(*).\nThe server keeps a listing total up to 2 s per ' +
      'filter, the listing ceiling counts every time: compare listings with their "SQL without count(*)" row.',
  );

  const measured = rows.filter((r) => r.http);
  console.log(`\n${engine}: where the CPU went during the HTTP runs (ms of CPU per request, from /proc)`);
  console.log(
    table(
      ['query', 'requests', 'avg totalResults', 'server', 'postgres', 'load generator'],
      measured.map((r) => {
        const h = r.http as NonNullable<Row['http']>;
        return [
          r.label,
          fmtInt(h.requests),
          h.matches.toFixed(1),
          perRequest(h.cpu.server, h.requests),
          engine === 'postgres' ? perRequest(h.cpu.postgres, h.requests) : 'in server',
          perRequest(h.cpu.client, h.requests),
        ];
      }),
    ),
  );

  const rewritten = rows.filter((r) => r.rewrite);
  if (rewritten.length > 0) {
    console.log(
      `\n${engine}: the same filters in an indexable form (SQL only; NOT what the server runs, see scim-sql.ts)`,
    );
    console.log(
      table(
        ['query', 'SQL p50', 'SQL p99', 'SQL req/s', 'x server SQL req/s'],
        rewritten.map((r) => {
          const w = r.rewrite as RunStats;
          return [
            r.label,
            fmtMs(w.p50),
            fmtMs(w.p99),
            fmtInt(w.rps),
            r.sql ? `${(w.rps / r.sql.rps).toFixed(0)}x` : '-',
          ];
        }),
      ),
    );
  }

  // A goal none of whose queries ran this time is reported as such, not as met or missed.
  const goal = (
    name: string,
    values: number[],
    ok: (worst: number) => boolean,
    worstOf: (v: number[]) => number,
    unit: string,
  ) => {
    if (values.length === 0) return `${name}: not measured`;
    const worst = worstOf(values);
    return `${name}: ${ok(worst) ? 'met' : 'MISSED'} (${unit === 'ms' ? `worst ${fmtMs(worst)} ms` : `${fmtInt(worst)} req/s`})`;
  };
  const p99s = (re: RegExp) => measured.filter((r) => re.test(r.label)).map((r) => r.http?.p99 ?? Number.NaN);
  const eqRate = measured.filter((r) => r.label === 'eq userName').map((r) => r.http?.rps ?? 0);
  const max = (v: number[]) => Math.max(...v);
  console.log(
    `\n${engine} goals (set for PostgreSQL): ` +
      [
        goal('eq/sw/co p99 < 15 ms', p99s(/^(eq|sw|co) /), (w) => w < 15, max, 'ms'),
        goal('listing p99 < 100 ms', p99s(/^list /), (w) => w < 100, max, 'ms'),
        goal('eq userName >= 5,000 req/s', eqRate, (w) => w >= 5_000, max, 'req/s'),
      ].join('; '),
  );
}
