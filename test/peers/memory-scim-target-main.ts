// Child-process entry of the in-memory SCIM target:
//   node bin/run-ts.mjs test/peers/memory-scim-target-main.ts [--port N] [--token T]
// prints one line `listening <base url incl. /scim/v2>` on stdout once it accepts requests, and exits on
// SIGTERM or SIGINT.
import { parseArgs } from 'node:util';
import { startMemoryScimTarget } from './memory-scim-target.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, token: { type: 'string' } },
  strict: true,
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, not "${values.port}"`);
  process.exit(2);
}
const target = await startMemoryScimTarget({
  port,
  ...(values.token !== undefined ? { token: values.token } : {}),
});
process.stdout.write(`listening ${target.url}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void target.close().finally(() => process.exit(0));
  });
}
