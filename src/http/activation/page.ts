import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type Activation, factLabel, type WeakReason, weakReasonText } from '../../activation/index.ts';
import type { Failure } from '../../core/index.ts';
import type { HttpEnv } from '../env.ts';
import { statusOf } from '../errors.ts';
import { clientAddress } from './client.ts';
import { CONTENT_SECURITY_POLICY } from './html.ts';
import { donePage, step1Page, step2Page } from './views.ts';

/** Headers of every activation page: no caching, no framing, no sniffing, nothing but our own bits. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Not no-referrer: with it, browsers send `Origin: null` on the form posts (see crossSite). The
  // page URL (with ?user=) still never leaves this origin.
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const pageHeaders: MiddlewareHandler<HttpEnv> = async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(PAGE_HEADERS)) c.res.headers.set(name, value);
};

/**
 * Form posts must come from this origin. The step-2 token already is the secret a forged post would
 * lack; this also stops another site from submitting step 1 in the person's browser (their lockout
 * budget, and whatever it shows). Browsers send Sec-Fetch-Site on every form post; older ones only
 * Origin, compared with Host. ('same-site' is refused too: a sibling subdomain is another party.)
 */
function crossSite(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = c.req.header('origin');
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== (c.req.header('host') ?? new URL(c.req.url).host);
  } catch {
    return true; // "null" and other opaque origins
  }
}

async function form(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v.slice(0, 4096)]] : [])),
  );
}

/** What step 1 says for each failure: the module decides what may be told, this only words it. */
function step1Message(f: Failure, fact: string): string {
  switch (f.code) {
    case 'activation.locked': {
      const minutes = Math.max(1, Math.ceil(Number(f.details?.retryAfterSeconds ?? 60) / 60));
      return `Too many attempts. For your security, activation is locked: try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
    }
    case 'activation.not_yet_valid':
      return `Your code is not valid yet: you can use it from ${new Date(String(f.details?.validFrom)).toUTCString()}.`;
    case 'activation.expired':
      return 'Your code has expired. Ask your manager or the service desk for a new one.';
    case 'activation.account_disabled':
      return 'Your account is not enabled. Contact your manager or the service desk.';
    case 'activation.already_activated':
      return 'Your account is already activated. Sign in with your password.';
    case 'activation.session_invalid':
      return 'This page expired before the password was set. Please start again.';
    case 'activation.invalid_credentials':
      return `That did not match. Check your user name, activation code and ${fact.toLowerCase()}, then try again.`;
    default:
      return 'Something went wrong. Please try again.';
  }
}

const statusFor = (f: Failure) => statusOf[f.code] as ContentfulStatusCode;

/** The server-rendered activation page: GET /activate, and plain HTML form posts for both steps. */
export function mountActivationPage(app: Hono<HttpEnv>, activation: Activation): void {
  const { verification, passwordMinLength } = activation.settings;
  const fact = factLabel[verification];
  const limit = bodyLimit({ maxSize: 16 * 1024 });
  const refuse = (c: Context) =>
    c.html(
      step1Page({ userName: '', fact: verification, error: 'This form must be sent from this site.' }),
      403,
    );

  app.use('/activate', pageHeaders);
  app.use('/activate/*', pageHeaders);

  app.get('/activate', (c) =>
    c.html(step1Page({ userName: (c.req.query('user') ?? '').slice(0, 256), fact: verification })),
  );

  app.post('/activate', limit, async (c) => {
    if (crossSite(c)) return refuse(c);
    const f = await form(c);
    const userName = f.userName ?? '';
    const result = await activation.verify({
      userName,
      code: f.code ?? '',
      fact: f.fact ?? '',
      client: clientAddress(c),
      correlationId: c.get('requestContext').correlationId,
    });
    if (result.ok) {
      const { token, displayName } = result.value;
      return c.html(step2Page({ token, displayName, minLength: passwordMinLength }));
    }
    if (result.error.code === 'activation.locked')
      c.header('Retry-After', String(result.error.details?.retryAfterSeconds ?? 60));
    return c.html(
      step1Page({ userName, fact: verification, error: step1Message(result.error, fact) }),
      statusFor(result.error),
    );
  });

  app.post('/activate/password', limit, async (c) => {
    if (crossSite(c)) return refuse(c);
    const f = await form(c);
    const token = f.token ?? '';
    const again = (status: ContentfulStatusCode, error: string | null, reasons?: string[]) =>
      c.html(step2Page({ token, displayName: null, minLength: passwordMinLength, error, reasons }), status);
    if ((f.password ?? '') !== (f.confirm ?? '')) return again(400, 'The two passwords differ.');
    const result = await activation.complete({
      token,
      password: f.password ?? '',
      client: clientAddress(c),
      correlationId: c.get('requestContext').correlationId,
    });
    if (result.ok) return c.html(donePage());
    if (result.error.code === 'activation.weak_password') {
      const reasons = (result.error.details?.reasons ?? []) as WeakReason[];
      return again(
        400,
        'Please choose another password.',
        reasons.map((r) => weakReasonText[r](passwordMinLength)),
      );
    }
    return c.html(
      step1Page({ userName: '', fact: verification, error: step1Message(result.error, fact) }),
      statusFor(result.error),
    );
  });
}
