// Reads the V8 CPU profile a server child wrote (`node --cpu-prof`) and reduces it to where its busy
// time went: self time per package or source file, and the hottest functions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmtPct, table } from './support.ts';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const VM_FRAMES = new Set(['(program)', '(garbage collector)', '(root)']);

/** The package (node_modules), source file (src/…), Node built-in, or VM bucket a frame belongs to. */
function bucketOf(frame: ProfileNode['callFrame']): string {
  if (VM_FRAMES.has(frame.functionName)) return frame.functionName;
  const url = frame.url;
  if (url === '') return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const source = /\/((?:src|bench)\/.+)$/.exec(url)?.[1];
  if (source) return source;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}

/** True for time spent outside JavaScript we ship or depend on: V8, native bindings, Node internals. */
const isRuntime = (bucket: string) => bucket.startsWith('(') || bucket.startsWith('node:');

/** Every V8 CPU profile in `dir`, with its nodes by id and each node's parent. */
export function loadProfiles(dir: string) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((file) => {
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
      const parents = new Map<number, number>();
      for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
      return { profile, nodes, parents };
    });
}

/** A summary of every profile in `dir`, busy time only (idle samples left out). */
export function summariseProfiles(dir: string, requests: number): string {
  const profiles = loadProfiles(dir);
  if (profiles.length === 0) return `no CPU profile in ${dir} (did the server exit cleanly?)`;
  const byBucket = new Map<string, number>();
  const byFunction = new Map<string, number>();
  // Native and Node-internal time, charged to the first package or source file up the stack: it
  // tells whether a writev came from the HTTP response, the database driver or the logger.
  const byCaller = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const { profile, nodes, parents } of profiles) {
    const callerOf = (id: number): string => {
      for (let at = parents.get(id); at !== undefined; at = parents.get(at)) {
        const frame = nodes.get(at)?.callFrame;
        if (frame && !isRuntime(bucketOf(frame))) return bucketOf(frame);
      }
      return '(no JS caller)';
    };
    profile.samples.forEach((id, i) => {
      // timeDeltas[i + 1] is the time until the next sample: the time this sample stands for.
      const us = profile.timeDeltas[i + 1] ?? 0;
      const frame = nodes.get(id)?.callFrame;
      if (!frame) return;
      if (frame.functionName === '(idle)') {
        idle += us;
        return;
      }
      busy += us;
      const bucket = bucketOf(frame);
      byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
      const where = `${frame.functionName || '(anonymous)'} ${bucket}:${frame.lineNumber + 1}`;
      byFunction.set(where, (byFunction.get(where) ?? 0) + us);
      if (isRuntime(bucket) && !VM_FRAMES.has(frame.functionName)) {
        const key = `${frame.functionName || '(anonymous)'} ${bucket} <- ${callerOf(id)}`;
        byCaller.set(key, (byCaller.get(key) ?? 0) + us);
      }
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
        (us / 1000 / requests).toFixed(3),
      ]);
  return [
    `server busy ${(busy / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s over ${requests} requests ` +
      `(${(busy / 1000 / requests).toFixed(2)} ms busy per request)`,
    table(['self time by package / file', 'ms', 'share', 'ms/req'], top(byBucket, 18)),
    '',
    table(['hottest functions (self time)', 'ms', 'share', 'ms/req'], top(byFunction, 15)),
    '',
    table(
      ['runtime/native time <- first package or file up the stack', 'ms', 'share', 'ms/req'],
      top(byCaller, 12),
    ),
  ].join('\n');
}
