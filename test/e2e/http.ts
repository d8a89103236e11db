import { z } from 'zod';

export const userBody = z.object({ id: z.string(), userName: z.string() }).loose();
export type UserBody = z.infer<typeof userBody>;
export const userPage = z.object({ items: z.array(userBody), nextCursor: z.string().nullable() });
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }).loose(),
});

export interface HttpResult {
  status: number;
  body: unknown;
}

/** One request to a running server; the body is parsed as JSON when the response says so. */
export async function request(
  url: string,
  path: string,
  options: { method?: string; token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, body: isJson && text ? (JSON.parse(text) as unknown) : text };
}

/** Creates a user through the admin API and returns it (fails unless 201). */
export async function createUser(url: string, token: string, userName: string): Promise<UserBody> {
  const res = await request(url, '/api/v1/users', {
    method: 'POST',
    token,
    body: { userName, displayName: `E2E ${userName}` },
  });
  if (res.status !== 201)
    throw new Error(`POST /api/v1/users ${userName}: ${res.status} ${JSON.stringify(res.body)}`);
  return userBody.parse(res.body);
}

/** Every user, following nextCursor pages of 1000. */
export async function listAllUsers(url: string, token: string): Promise<UserBody[]> {
  const all: UserBody[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await request(url, `/api/v1/users?limit=1000${query}`, { token });
    if (res.status !== 200) throw new Error(`GET /api/v1/users: ${res.status} ${JSON.stringify(res.body)}`);
    const parsed = userPage.parse(res.body);
    all.push(...parsed.items);
    cursor = parsed.nextCursor;
    if (!cursor) return all;
  }
  throw new Error('GET /api/v1/users: more than 1000 pages');
}
