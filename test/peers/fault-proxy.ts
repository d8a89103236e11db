// A proxy in front of a test target: real HTTP on its own port, which can go down (connections refused,
// open ones cut) and come back on the same port, fail chosen requests, and count concurrency.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MemoryScimTarget } from './memory-scim-target.ts';

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ProxiedRequest {
  method: string;
  url: string;
  body: string;
}

export interface FaultProxy {
  /** SCIM base URL through the proxy. */
  url: string;
  port: number;
  /** Most requests the target was working on at once (received, answer not yet sent back). */
  maxInFlight: number;
  /** Requests forwarded or failed by the proxy. */
  requests: number;
  /** Answers with this status instead of forwarding when it returns one. */
  fail: ((r: ProxiedRequest) => number | null) | null;
  /** Sees the target's answer first; 'drop' loses it (the target did the work, the client never hears). */
  intercept: ((r: ProxiedRequest, status: number) => 'drop' | 'pass') | null;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

export async function startProxy(target: MemoryScimTarget): Promise<FaultProxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let inFlight = 0;
  let server: http.Server | null = null;
  let port = 0;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      inFlight += 1;
      proxy.maxInFlight = Math.max(proxy.maxInFlight, inFlight);
      proxy.requests += 1;
      let answered = false;
      const answer = (status: number, headers: http.OutgoingHttpHeaders, payload: Buffer | string) => {
        if (answered) return;
        answered = true;
        // Counted out before the answer leaves: the client cannot send its next request earlier.
        inFlight -= 1;
        if (res.destroyed || res.writableEnded) return;
        res.writeHead(status, headers);
        res.end(payload);
      };
      const seen: ProxiedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        body: body.toString('utf8'),
      };
      const failing = proxy.fail?.(seen);
      if (failing) {
        answer(
          failing,
          { 'content-type': 'application/scim+json' },
          JSON.stringify({ schemas: [SCIM_ERROR], status: String(failing), detail: 'injected by the proxy' }),
        );
        return;
      }
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers))
        if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
      headers['content-length'] = String(body.length);
      const upstream = http.request(
        `${target.origin}${req.url ?? '/'}`,
        { method: req.method ?? 'GET', headers, agent },
        (r) => {
          const parts: Buffer[] = [];
          r.on('data', (c: Buffer) => parts.push(c));
          r.on('end', () => {
            const status = r.statusCode ?? 502;
            if (proxy.intercept?.(seen, status) === 'drop') {
              answered = true;
              inFlight -= 1;
              res.destroy();
              return;
            }
            const out: http.OutgoingHttpHeaders = {};
            for (const [k, v] of Object.entries(r.headers))
              if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
            answer(status, out, Buffer.concat(parts));
          });
          r.on('error', () => answer(502, {}, 'upstream answer broken'));
        },
      );
      upstream.on('error', () => answer(502, {}, 'upstream unreachable'));
      upstream.end(body);
    });
  };

  const listen = async () => {
    const s = http.createServer({ keepAlive: true }, handle);
    s.keepAliveTimeout = 65_000;
    await new Promise<void>((done, fail) => {
      s.once('error', fail);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', fail);
        done();
      });
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = null;
    if (!s) return;
    const closed = new Promise<void>((done) => s.close(() => done()));
    s.closeAllConnections();
    await closed;
  };

  await listen();
  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${port}/scim/v2`,
    port,
    maxInFlight: 0,
    requests: 0,
    fail: null,
    intercept: null,
    down: stop,
    up: listen,
    close: async () => {
      await stop();
      agent.destroy();
    },
  };
  return proxy;
}

// One private app (database, workers, target) per test.
