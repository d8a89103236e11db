// The server CPU profile of an inbound phase by area of the code: each busy sample is charged to the
// leaf-most frame of Joinery's own source (src/…) on its stack, so the libraries a function calls
// (kysely, zod, JSON, pg's query building) count for it; samples with no src frame on the stack (pg
// parsing replies, GC, the HTTP server's own work) stay by package. scim-profile.ts gives self time.
import { loadProfiles, type ProfileNode } from './scim-profile.ts';
import { fmtPct, table } from './support.ts';

const srcOf = (url: string) => /\/(src\/.+)$/.exec(url)?.[1];

function outside(frame: ProfileNode['callFrame']): string {
  if (frame.functionName.startsWith('(')) return frame.functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
  if (pkg) return `${pkg} (no src caller)`;
  if (frame.url.startsWith('node:')) return `${frame.url.split('/').slice(0, 2).join('/')} (no src caller)`;
  return frame.url === '' ? '(native, no src caller)' : frame.url;
}

/** Busy time per src file and per src function (leaf-most src frame), for every profile in `dir`. */
export function summariseByArea(dir: string, records: number): string {
  const profiles = loadProfiles(dir);
  if (profiles.length === 0) return `no CPU profile in ${dir}`;
  const byFile = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const { profile, nodes, parents } of profiles) {
    // Memoised per node: the area a sample on that node is charged to.
    const areaOf = new Map<number, { file: string; fn: string }>();
    const resolve = (id: number): { file: string; fn: string } => {
      const known = areaOf.get(id);
      if (known) return known;
      let found: { file: string; fn: string } | undefined;
      for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
        const frame = nodes.get(at)?.callFrame;
        const src = frame ? srcOf(frame.url) : undefined;
        if (frame && src) {
          found = { file: src, fn: `${frame.functionName || '(anonymous)'} ${src}:${frame.lineNumber + 1}` };
          break;
        }
      }
      const leaf = nodes.get(id)?.callFrame;
      const result = found ?? { file: leaf ? outside(leaf) : '?', fn: leaf ? outside(leaf) : '?' };
      areaOf.set(id, result);
      return result;
    };
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i + 1] ?? 0;
      const frame = nodes.get(id)?.callFrame;
      if (!frame || frame.functionName === '(idle)') return;
      busy += us;
      const area = resolve(id);
      byFile.set(area.file, (byFile.get(area.file) ?? 0) + us);
      byFunction.set(area.fn, (byFunction.get(area.fn) ?? 0) + us);
    });
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => [
        name,
        (us / 1000).toFixed(0),
        fmtPct(us / busy),
        ((us / records) * 1).toFixed(1),
      ]);
  return [
    table(
      ['busy time by src file (leaf-most src frame, libraries included)', 'ms', 'share', 'us/record'],
      top(byFile, 16),
    ),
    '',
    table(['by src function (leaf-most src frame)', 'ms', 'share', 'us/record'], top(byFunction, 16)),
  ].join('\n');
}
