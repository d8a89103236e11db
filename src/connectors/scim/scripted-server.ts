import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Test support: a real HTTP server on 127.0.0.1 that records requests and answers from a script. */

export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** An answer, or `hang` to never answer (timeouts). */
export type Script = (req: RecordedRequest, seen: number) => ScriptedAnswer | 'hang';

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the script (the previous requests stay recorded). */
  script(next: Script): void;
  close(): Promise<void>;
}

export const SPC_PATCH = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  patch: { supported: true },
  filter: { supported: true, maxResults: 200 },
  etag: { supported: false },
};

export async function startScriptedServer(initial: Script): Promise<ScriptedServer> {
  let script = initial;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://localhost');
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        text,
        json,
      };
      requests.push(recorded);
      const answer = script(recorded, requests.length);
      if (answer === 'hang') return;
      const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'Content-Type': 'application/scim+json', ...answer.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/scim`,
    requests,
    script: (next) => {
      script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers discovery like a PATCH-capable target; everything else goes to `rest`. */
export const withDiscovery =
  (rest: Script, spc: unknown = SPC_PATCH): Script =>
  (req, seen) => {
    if (req.path.endsWith('/ServiceProviderConfig')) return { status: 200, body: spc };
    if (req.path.endsWith('/ResourceTypes')) return { status: 404, body: { detail: 'no' } };
    return rest(req, seen);
  };
