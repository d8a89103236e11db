import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * DESIGN.md §4 as code. Each module may import only modules of a lower layer (or its own), and only
 * through their index.ts. Layers, lowest first; modules on one line are peers and may not import each
 * other. `app.ts`, `main.ts`, `compose/`, `cli/` and `http/` are edges: they may import any module's index.ts.
 */
export const layers: string[][] = [
  ['core'],
  ['config'],
  ['scim', 'mapping'],
  ['db'],
  ['audit', 'events', 'jobs'],
  ['ops', 'auth'],
  ['directory'],
  ['inbound', 'outbound', 'activation', 'notifications'],
  ['workflows', 'entitlements', 'connectors'],
  ['reviews'],
];
const edges = new Set(['http', 'cli', 'compose', 'app.ts', 'main.ts']);
/** Pure modules import only core, whatever their layer. */
const pure = new Set(['scim', 'mapping']);
/** Connectors know the connector contract (outbound/index.ts) and their protocol, never the database. */
const connectorImports = new Set(['core', 'outbound']);

function layerOf(module: string): number {
  return layers.findIndex((l) => l.includes(module));
}

export interface Violation {
  file: string;
  line: number;
  message: string;
}

function moduleOf(srcRelative: string): string {
  const first = srcRelative.split(sep)[0] ?? '';
  return first;
}

const importPattern = /^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/;

export function checkFile(srcRoot: string, file: string, text: string): Violation[] {
  const rel = relative(srcRoot, file);
  const from = moduleOf(rel);
  const out: Violation[] = [];
  const lines = text.split('\n');
  lines.forEach((lineText, index) => {
    const m = importPattern.exec(lineText);
    const spec = m?.[1] ?? m?.[2];
    if (spec === undefined || spec[0] !== '.') return;
    const target = relative(srcRoot, join(file, '..', spec));
    if (target.startsWith('..')) return;
    const to = moduleOf(target);
    if (to === from) return;
    const report = (message: string) => out.push({ file: rel, line: index + 1, message });
    const isIndex = target === join(to, 'index.ts') || edges.has(to);
    if (!isIndex && !edges.has(from))
      report(`imports ${target}: other modules are reached only through ${to}/index.ts`);
    if (!isIndex && edges.has(from) && !edges.has(to)) report(`imports ${target}: use ${to}/index.ts`);
    if (edges.has(from)) return;
    if (edges.has(to)) {
      report(`a module may not import the edge ${to}`);
      return;
    }
    if (from === 'config' || from === 'core') {
      if (to !== 'core') report(`${from} may import only core`);
      return;
    }
    if (pure.has(from) && to !== 'core') {
      report(`${from} is pure: it may import only core`);
      return;
    }
    if (from === 'connectors') {
      if (!connectorImports.has(to)) report('connectors may import only core and the outbound contract');
      return;
    }
    const a = layerOf(from);
    const b = layerOf(to);
    if (a < 0 || b < 0) {
      report(`module ${a < 0 ? from : to} is not in the layer list of scripts/dependency-rules.ts`);
      return;
    }
    if (b >= a)
      report(
        `${from} may not import ${to} (same or higher layer; subscribe to an event or register a job in app.ts)`,
      );
  });
  if (!rel.startsWith('config') && /process\.env/.test(text) && !file.endsWith('.test.ts')) {
    const line = lines.findIndex((l) => l.includes('process.env')) + 1;
    out.push({ file: rel, line, message: 'only src/config may read process.env' });
  }
  return out;
}

export function checkTree(srcRoot: string): Violation[] {
  const out: Violation[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts'))
        out.push(...checkFile(srcRoot, path, readFileSync(path, 'utf8')));
    }
  };
  walk(srcRoot);
  return out;
}
