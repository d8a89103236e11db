import { deliverOne } from './deliver.ts';
import { getDelivery, queryDeliveries } from './log.ts';
import { checkTemplate, PLACEHOLDERS } from './placeholders.ts';
import { queueEmails } from './queue.ts';
import { lazyTransport } from './transport.ts';
import type { Notifications, NotificationsDeps } from './types.ts';

export { emailPersonOf, workEmailOf } from './person.ts';
export { DELIVER_QUEUE, type DeliverJob } from './queue.ts';
export { type RenderedEmail, renderEmail } from './render.ts';
export type {
  BuiltInTemplate,
  Delivery,
  DeliveryQuery,
  DeliveryStatus,
  EmailChange,
  EmailMessage,
  EmailPerson,
  EmailTemplate,
  EmailVars,
  NotificationSettings,
  Notifications,
  NotificationsDeps,
  SmtpSettings,
} from './types.ts';
export { emailTemplates } from './types.ts';

/** E-mail: templates rendered at queue time, delivery through SMTP by jobs, and the delivery log. */
export function createNotifications(deps: NotificationsDeps): Notifications {
  const transport = deps.settings.smtp ? lazyTransport(deps.settings.smtp) : null;
  const deliverDeps = { ...deps, transport };
  return {
    queue: (tx, ctx, messages) => queueEmails(deps, tx, ctx, messages),
    deliver: (deliveryId) => deliverOne(deliverDeps, deliveryId),
    deliveries: (query) => queryDeliveries(deps.db, query),
    getDelivery: (id) => getDelivery(deps.db, id),
    checkTemplate,
    placeholders: () => PLACEHOLDERS,
    close: async () => {
      transport?.close();
    },
  };
}
