// Helpers for this module's tests only.
import { randomBytes } from 'node:crypto';
import { openTestDatabase } from '../../test/database.ts';
import {
  createSecretBox,
  type FakeClock,
  fakeClock,
  newId,
  type RequestContext,
  silentLogger,
  unwrap,
} from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createDirectory, type Directory, type User, userCreateSchema } from '../directory/index.ts';
import {
  type Activation,
  type ActivationMailer,
  type ActivationSettings,
  createActivation,
} from './index.ts';

export const adminCtx: RequestContext = {
  actor: { type: 'token', id: 'token-1', name: 'hr-admin' },
  correlationId: 'corr-activation',
};

export const defaultSettings: ActivationSettings = {
  codeLength: 10,
  lifetimeDays: 14,
  verification: 'employeeId',
  maxFailures: 3,
  clientMaxFailures: 10,
  lockoutMinutes: 15,
  passwordMinLength: 12,
  defaultTimezone: 'UTC',
};

/**
 * A real mailer, minus SMTP: it writes the delivery row in the caller's transaction, the way the
 * notifications module queues mail, so a rolled-back activation leaves no e-mail behind.
 */
export const deliveryRowMailer: ActivationMailer = {
  async confirmation(tx, ctx, user) {
    const now = new Date();
    await tx
      .insertInto('email_deliveries')
      .values({
        id: newId(),
        to_address: user.personalEmail ?? user.userName,
        subject: 'Your account is activated',
        text_body: `Hello ${user.displayName ?? user.userName}`,
        template: 'activationConfirmed',
        purpose: 'activationConfirmed',
        user_id: user.id,
        status: 'queued',
        created_at: now,
        updated_at: now,
        correlation_id: ctx.correlationId,
      })
      .execute();
  },
};

export interface ActivationTest {
  database: Database;
  clock: FakeClock;
  directory: Directory;
  activation: Activation;
  /** Another Activation on the same store and key with other settings (another fact) or mailer. */
  withSettings(settings: Partial<ActivationSettings>, mailer?: ActivationMailer): Activation;
  /** Creates a person through the directory (the input is parsed as the admin API would). */
  user(input?: Record<string, unknown>): Promise<User>;
  close(): Promise<void>;
}

let seq = 0;
export const uniqueName = (prefix: string) => `${prefix}.${++seq}.${Date.now().toString(36)}@example.com`;

export async function createActivationTest(
  settings: Partial<ActivationSettings> = {},
  start = '2026-03-02T09:00:00Z',
): Promise<ActivationTest> {
  const database = await openTestDatabase();
  const clock = fakeClock(start);
  const directory = createDirectory({ db: database.db, clock, retentionDays: 30 });
  const secrets = createSecretBox(randomBytes(32));
  const make = (s: Partial<ActivationSettings>, mailer = deliveryRowMailer) =>
    createActivation({
      db: database.db,
      clock,
      logger: silentLogger,
      directory,
      mailer,
      settings: { ...defaultSettings, ...settings, ...s },
      publicUrl: () => 'https://joinery.example.com/',
      secrets,
    });
  return {
    database,
    clock,
    directory,
    activation: make({}),
    withSettings: make,
    async user(input = {}) {
      const parsed = userCreateSchema.parse({
        userName: uniqueName('starter'),
        employeeId: `E${++seq}`,
        givenName: 'Nina',
        familyName: 'Newstart',
        displayName: 'Nina Newstart',
        ...input,
      });
      return unwrap(await directory.createUser(adminCtx, parsed));
    },
    close: () => database.close(),
  };
}

export async function auditActions(database: Database, userId: string): Promise<string[]> {
  const rows = await database.db
    .selectFrom('audit_log')
    .select('action')
    .where('target_id', '=', userId)
    .where('action', 'like', 'activation.%')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}
