import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed } from '../../test/results.ts';
import { newId, systemContext, unwrap } from '../core/index.ts';
import type { Delivery, EmailMessage, Notifications } from './index.ts';
import { type Harness, person, startHarness } from './test-support.ts';

// No workers: every delivery stays queued, so the log's content is exactly what was queued.
let h: Harness;
let n: Notifications;
const alice = newId();
const bob = newId();
const run = newId();
let all: string[] = [];

const message = (i: number): EmailMessage => ({
  to: i % 3 === 0 ? 'Manager@Example.test' : `person${i}@example.test`,
  template: 'onboardingReminder',
  vars: { user: person({ displayName: `Person ${i}` }), manager: person({ displayName: 'Mara Boss' }) },
  userId: i % 2 === 0 ? alice : bob,
  runId: i < 5 ? run : null,
  purpose: 'reminder',
});

beforeAll(async () => {
  h = await startHarness({ work: false });
  n = h.notifications({});
  // Three batches so the rows span several creation times as well as ties within one.
  for (const batch of [
    [0, 1, 2, 3],
    [4, 5, 6],
    [7, 8, 9, 10, 11],
  ])
    all.push(...(await h.queue(n, batch.map(message))));
  all = all.reverse();
});
afterAll(async () => {
  await h.close();
});

async function everyPage(
  query: Omit<Parameters<Notifications['deliveries']>[0], 'cursor'>,
): Promise<Delivery[]> {
  const items: Delivery[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = unwrap(await n.deliveries({ ...query, ...(cursor ? { cursor } : {}) }));
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    items.push(...page.items);
    if (!page.nextCursor) return items;
    cursor = page.nextCursor;
  }
}

describe('the delivery log', () => {
  it('pages through every delivery, newest first, each once', async () => {
    const items = await everyPage({ limit: 5 });
    expect(items.map((d) => d.id).sort()).toEqual([...all].sort());
    const times = items.map((d) => d.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(items[0]).toMatchObject({
      status: 'queued',
      attempts: 0,
      template: 'onboardingReminder',
      locale: 'en',
    });
    const last = unwrap(await n.deliveries({ limit: all.length }));
    expect(last.items).toHaveLength(all.length);
    expect(last.nextCursor).toBeNull();
  });

  it('filters by user, run, status and recipient (case-insensitively)', async () => {
    const ofAlice = await everyPage({ userId: alice, limit: 2 });
    expect(ofAlice).toHaveLength(6);
    expect(ofAlice.every((d) => d.userId === alice)).toBe(true);
    expect((await everyPage({ runId: run, limit: 2 })).map((d) => d.runId)).toEqual(Array(5).fill(run));
    expect(await everyPage({ runId: run, userId: bob, limit: 10 })).toHaveLength(2);
    expect(await everyPage({ status: 'queued', limit: 100 })).toHaveLength(12);
    expect(await everyPage({ status: 'sent', limit: 100 })).toEqual([]);
    const toManager = await everyPage({ to: 'manager@example.TEST', limit: 100 });
    expect(toManager.map((d) => d.to)).toEqual(Array(4).fill('Manager@Example.test'));
  });

  it('gets one delivery with what was rendered when it was queued', async () => {
    const d = unwrap(await n.getDelivery(all[all.length - 1]!));
    expect(d).toMatchObject({ to: 'Manager@Example.test', purpose: 'reminder', runId: run, userId: alice });
    expect(d.subject).toBe('Reminder: Person 0 starts on March 2, 2026');
    expect(d.text).toContain('Hello Mara Boss,');
    expect(d.html).toContain('<p>Hello Mara Boss,</p>');
  });

  it('answers delivery_not_found for an unknown or malformed id', async () => {
    expect(failed(await n.getDelivery(newId())).code).toBe('notifications.delivery_not_found');
    expect(failed(await n.getDelivery('nope')).code).toBe('notifications.delivery_not_found');
  });

  it('refuses a cursor it did not issue and ids that are not UUIDs', async () => {
    expect(failed(await n.deliveries({ cursor: 'bm9wZQ', limit: 5 })).code).toBe('request.invalid');
    expect(failed(await n.deliveries({ userId: 'alice', limit: 5 })).code).toBe('request.invalid');
  });
});

describe('queueing', () => {
  it('queues nothing when one message of a batch does not render', async () => {
    const before = unwrap(await n.deliveries({ limit: 1000 })).items.length;
    const result = await h.database.db
      .transaction()
      .execute((tx) =>
        n.queue(tx, systemContext('test'), [
          message(20),
          { ...message(21), template: 'custom', subject: 'Hi {{user.nick}}', body: 'x' },
        ]),
      );
    expect(failed(result)).toMatchObject({
      code: 'notifications.invalid_template',
      details: { index: 1, placeholder: 'user.nick', part: 'subject' },
    });
    expect(unwrap(await n.deliveries({ limit: 1000 })).items).toHaveLength(before);
  });

  it('refuses a message without a usable recipient or with a malformed user id', async () => {
    const queue = (m: EmailMessage) =>
      h.database.db.transaction().execute((tx) => n.queue(tx, systemContext('t'), [m]));
    expect(failed(await queue({ ...message(30), to: '' })).code).toBe('request.invalid');
    expect(failed(await queue({ ...message(31), to: 'not an address' })).code).toBe('request.invalid');
    expect(failed(await queue({ ...message(32), userId: 'bob' })).code).toBe('request.invalid');
    expect(unwrap(await queue({ ...message(33), to: 'Ada Lovelace <ada@example.test>' }))).toHaveLength(1);
  });

  it('stores what the data said at queue time', async () => {
    const user = person({ displayName: 'Before Rename' });
    const [id] = await h.queue(n, [{ ...message(40), vars: { user, manager: null } }]);
    user.displayName = 'After Rename';
    expect(unwrap(await n.getDelivery(id!)).text).toContain('A reminder that Before Rename joins');
  });
});
