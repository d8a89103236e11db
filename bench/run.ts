// `npm run bench -- <name> [options]`: runs one benchmark from bench/. Each benchmark is one file that
// exports `description` and `run(args)`, and prints its own figure beside the raw ceiling measured in
// the same run. To add one, add a file and a line below.
import type { BenchmarkModule } from './support.ts';

const benchmarks: Record<string, () => Promise<BenchmarkModule>> = {
  directory: () => import('./directory.ts'),
  inbound: () => import('./inbound.ts'),
  outbound: () => import('./outbound.ts'),
  scim: () => import('./scim.ts'),
  workflows: () => import('./workflows.ts'),
};

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const load = name ? benchmarks[name] : undefined;
  if (!load) {
    if (name) console.error(`unknown benchmark "${name}"`);
    console.error('usage: npm run bench -- <name> [options]   (<name> --help for its options)\n\navailable:');
    for (const [key, loader] of Object.entries(benchmarks)) {
      const mod = await loader();
      console.error(`  ${key.padEnd(12)} ${mod.description}`);
    }
    return 2;
  }
  const mod = await load();
  await mod.run(args);
  return 0;
}

process.exitCode = await main();
