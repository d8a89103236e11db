/** Why a pull stopped. `retryable` tells the job runner whether running the same pull later can help. */
export interface PullFailure {
  message: string;
  retryable: boolean;
  status?: number;
  url?: string;
}

/** Thrown by the pull generators; `failure` is safe to store and show (no secrets, URLs redacted). */
export class PullError extends Error {
  readonly failure: PullFailure;
  constructor(failure: PullFailure) {
    super(failure.message);
    this.name = 'PullError';
    this.failure = failure;
  }
}

export function pullError(
  message: string,
  retryable: boolean,
  extra: { status?: number; url?: string } = {},
) {
  const failure: PullFailure = { message, retryable };
  if (extra.status !== undefined) failure.status = extra.status;
  if (extra.url !== undefined) failure.url = extra.url;
  return new PullError(failure);
}

/** Query parameters whose values are likely credentials; their values never reach a message. */
const SECRET_NAME = /(token|secret|password|passwd|pwd|key|signature|sig|auth|code|session|cookie)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * A URL fit for a message: user info dropped and credential-looking query values masked. OData skip
 * tokens and offsets stay readable because they are what an operator needs to see where paging broke.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(invalid URL)';
  }
  url.username = '';
  url.password = '';
  for (const name of [...url.searchParams.keys()]) {
    if (isSecretName(name) && !/skiptoken/i.test(name)) url.searchParams.set(name, '***');
  }
  return url.toString();
}

/** Masks every known secret inside server-supplied text (a server may echo a header back). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** The first few hundred characters of a body, on one line, for an error message. */
export function excerpt(text: string, secrets: readonly string[], max = 200): string {
  const flat = scrub(text, secrets).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
