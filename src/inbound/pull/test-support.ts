import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PullPage, PullResult } from './options.ts';

/** One request as the test server saw it. */
export interface Seen {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  base: string;
  requests: Seen[];
  close(): Promise<void>;
}

export type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

/** A real HTTP server on a free loopback port; every request is recorded before the handler runs. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: Seen = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      Promise.resolve(handler(seen, res)).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Drains a pull: every page's records, the page count and the returned watermark. */
export async function collect(
  pull: AsyncGenerator<PullPage, PullResult>,
): Promise<{ records: Record<string, unknown>[]; pages: number; watermark: string | null }> {
  const records: Record<string, unknown>[] = [];
  let pages = 0;
  for (;;) {
    const step = await pull.next();
    if (step.done) return { records, pages, watermark: step.value.watermark };
    pages += 1;
    records.push(...step.value.records);
  }
}

/** Drains a pull that must fail; returns the PullError-like value and what was yielded before it. */
export async function collectFailure(
  pull: AsyncGenerator<PullPage, PullResult>,
): Promise<{ error: unknown; records: Record<string, unknown>[] }> {
  const records: Record<string, unknown>[] = [];
  try {
    for (;;) {
      const step = await pull.next();
      if (step.done) throw new Error('expected the pull to fail, but it finished');
      records.push(...step.value.records);
    }
  } catch (error) {
    return { error, records };
  }
}

/** A sleep that only records how long it was asked to wait. */
export function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
  };
}
