import { z } from 'zod';
import type { Notifications } from '../../notifications/index.ts';
import { errorResponse } from '../errors.ts';
import { idParams, json, limitQuery, type RouteRegistry } from '../routes.ts';

const deliveryQuery = z.strictObject({
  userId: z.uuid().optional(),
  runId: z.uuid().optional(),
  status: z.enum(['queued', 'sent', 'failed', 'not_configured']).optional(),
  to: z.string().max(320).optional(),
  cursor: z.string().max(200).optional(),
  limit: limitQuery,
});

/** The e-mail delivery log: what was sent to whom, when, and why not. */
export function notificationRoutes(api: RouteRegistry, notifications: Notifications): void {
  const base = { tag: 'notifications', scope: 'admin' } as const;
  api.add({
    ...base,
    method: 'get',
    path: '/notifications/deliveries',
    summary: 'E-mail deliveries, newest first, by person, workflow run, status or recipient',
    query: deliveryQuery,
    responses: { 200: { description: 'Deliveries' } },
    handler: async ({ query, c }) => {
      const r = await notifications.deliveries(query);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
  api.add({
    ...base,
    method: 'get',
    path: '/notifications/deliveries/:id',
    summary: 'One delivery with its rendered subject and body',
    params: idParams,
    responses: { 200: { description: 'The delivery' } },
    handler: async ({ params, c }) => {
      const r = await notifications.getDelivery(params.id);
      return r.ok ? json(c, r.value) : errorResponse(c, r.error);
    },
  });
}
