import type { Clock, Logger, RequestContext, Result, SecretBox } from '../core/index.ts';
import type { Db, Tx } from '../db/index.ts';
import type { Directory, User } from '../directory/index.ts';

/** A freshly issued code. `code` exists only here: the database keeps a keyed hash. */
export interface IssuedCode {
  code: string;
  codeId: string;
  validFrom: string;
  expiresAt: string;
  /** The activation page, with the person's user name filled in. */
  url: string;
}

export interface ActivationMailer {
  /** Queues the "account activated" confirmation e-mail in the caller's transaction. */
  confirmation(tx: Tx, ctx: RequestContext, user: User): Promise<void>;
}

export type VerificationFact = 'employeeId' | 'employeeHireDate' | 'personalEmail' | 'externalId';

export interface ActivationSettings {
  codeLength: number;
  lifetimeDays: number;
  verification: VerificationFact;
  /** Failures for one person before their activation locks. */
  maxFailures: number;
  /** Failures from one client address before that address locks. */
  clientMaxFailures: number;
  lockoutMinutes: number;
  passwordMinLength: number;
  /** IANA zone of people whose own zone is empty or unknown. */
  defaultTimezone: string;
}

export interface ActivationDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  directory: Directory;
  mailer: ActivationMailer;
  settings: ActivationSettings;
  /** Base address of the activation page (evaluated when a code is issued). */
  publicUrl: () => string;
  /** Protects the per-code hash keys (see code-hash.ts). */
  secrets: SecretBox;
}

export type CodeState = 'live' | 'used' | 'revoked' | 'expired';

export interface ActivationStatus {
  activated: boolean;
  activatedAt: string | null;
  code: { codeId: string; validFrom: string; expiresAt: string; state: CodeState } | null;
  lockedUntil: string | null;
}

export interface VerifyInput {
  userName: string;
  code: string;
  fact: string;
  /** The client's address, for the per-client lockout ('unknown' when not known). */
  client: string;
  /** Ties the audit rows to the request that caused them; a fresh one when absent. */
  correlationId?: string;
}

export interface Verified {
  /** Single use, short-lived; proves step 1 to step 2. */
  token: string;
  expiresAt: string;
  displayName: string | null;
  passwordRules: { minLength: number };
}

export interface CompleteInput {
  token: string;
  password: string;
  client: string;
  correlationId?: string;
}

export interface Activation {
  /** In the caller's transaction (a workflow task): revokes any live code of the person and issues a new one, audited (never the code itself). */
  issueCode(tx: Tx, ctx: RequestContext, userId: string): Promise<Result<IssuedCode>>;
  /** `issueCode` for many people at once (each at most once), in one set of statements. */
  issueCodes(
    tx: Tx,
    ctx: RequestContext,
    userIds: readonly string[],
  ): Promise<Map<string, Result<IssuedCode>>>;
  /** Admin reissue in its own transaction. */
  reissue(ctx: RequestContext, userId: string): Promise<Result<IssuedCode>>;
  revoke(ctx: RequestContext, userId: string): Promise<Result<{ revoked: boolean }>>;
  status(userId: string): Promise<Result<ActivationStatus>>;
  /** Step 1: user name + code + the verification fact. Success gives a short-lived single-use token (stored hashed) for step 2. */
  verify(input: VerifyInput): Promise<Result<Verified>>;
  /** Step 2: sets the password, marks the code used, records the activation and a sign-in, audits, and queues the confirmation e-mail, all in one transaction. */
  complete(input: CompleteInput): Promise<Result<{ userId: string; activatedAt: string }>>;
  /** What the activation page needs to know (which fact to ask for, the password rules). */
  readonly settings: Readonly<ActivationSettings>;
}
