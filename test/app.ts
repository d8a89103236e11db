import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp, type Mode } from '../src/app.ts';
import { createToken, type Scope } from '../src/auth/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { type Clock, silentLogger, systemContext } from '../src/core/index.ts';
import { openTestDatabase } from './database.ts';

export interface TestApp {
  app: App;
  /** A fresh token with these scopes. */
  token(scopes: Scope[], name?: string): Promise<string>;
  /** app.http.request with JSON and a bearer token. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** The whole app on a private test database, driven in-process through Hono's `request()`. */
export async function createTestApp(
  options: { mode?: Mode; clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const database = await openTestDatabase();
  const config = loadConfig({
    JOINERY_DATA_DIR: join(tmpdir(), `joinery-test-${process.pid}`),
    ...options.env,
  });
  const app = await createApp(config, {
    logger: silentLogger,
    mode: options.mode ?? 'serve',
    database,
    clock: options.clock,
  });
  return {
    app,
    async token(scopes, name = 'test') {
      const { token } = await createToken(app.tokens, systemContext('test'), { name, scopes });
      return token;
    },
    call(method, path, { token, body, headers } = {}) {
      const h: Record<string, string> = { ...headers };
      if (token) h.Authorization = `Bearer ${token}`;
      if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
      const init: RequestInit = { method, headers: h };
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
      return Promise.resolve(app.http.request(path, init));
    },
    async close() {
      await app.stop();
      await database.close();
    },
  };
}
