import { type Activation, type ActivationMailer, createActivation } from '../activation/index.ts';
import { unwrap } from '../core/index.ts';
import type { User } from '../directory/index.ts';
import { emailPersonOf, type Notifications, workEmailOf } from '../notifications/index.ts';
import type { ModuleDeps } from './inbound.ts';

/**
 * Day-1 activation with its settings. The mailer is handed in because notifications is a peer module
 * (activation may not import it); `publicUrl` because the server's own address is known only once it
 * listens.
 */
export function activationWithMailer(
  deps: ModuleDeps,
  mailer: ActivationMailer,
  publicUrl: () => string,
): Activation {
  const { db, clock, directory, logger, secrets, config } = deps;
  return createActivation({
    db,
    clock,
    directory,
    logger: logger.child({ component: 'activation' }),
    secrets,
    mailer,
    publicUrl,
    settings: {
      codeLength: config.activationCodeLength,
      lifetimeDays: config.activationCodeLifetimeDays,
      verification: config.activationVerification,
      maxFailures: config.activationMaxFailures,
      clientMaxFailures: config.activationClientMaxFailures,
      lockoutMinutes: config.activationLockoutMinutes,
      passwordMinLength: config.passwordMinLength,
      defaultTimezone: config.defaultTimezone,
    },
  });
}

/** The person's address for the confirmation: their personal e-mail, else their work e-mail. */
const confirmationAddress = (user: User): string | null => user.personalEmail ?? workEmailOf(user);

/**
 * The "account activated" e-mail through notifications, in the activation's transaction. No address:
 * nothing to send, the activation still succeeds. A built-in template that cannot render is a bug:
 * it throws, and the activation rolls back rather than half-happening.
 */
export function confirmationMailer(notifications: Notifications): ActivationMailer {
  return {
    async confirmation(tx, ctx, user) {
      const to = confirmationAddress(user);
      if (!to) return;
      unwrap(
        await notifications.queue(tx, ctx, [
          {
            to,
            template: 'activationConfirmed',
            vars: { user: emailPersonOf(user), manager: null },
            locale: user.preferredLanguage,
            purpose: 'activationConfirmed',
            userId: user.id,
          },
        ]),
      );
    },
  };
}
