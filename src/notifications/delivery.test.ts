import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../../test/peers/smtp.ts';
import { systemContext, unwrap } from '../core/index.ts';
import type { EmailMessage, Notifications } from './index.ts';
import { type Harness, person, settledJob, smtpAt, startHarness } from './test-support.ts';

let h: Harness;
let smtp: TestSmtpServer;
let n: Notifications;
/** RCPT TO commands seen per recipient, accepted or not. */
const rcpts = new Map<string, number>();

beforeAll(async () => {
  h = await startHarness({ work: true });
  smtp = await startSmtpServer({
    rejectWith: (rcpt) => {
      const seen = (rcpts.get(rcpt) ?? 0) + 1;
      rcpts.set(rcpt, seen);
      if (rcpt === 'busy@example.test' && seen <= 2) return { code: 451, message: 'Greylisted, try later' };
      if (rcpt === 'nobody@example.test') return { code: 550, message: 'No such user here' };
      return null;
    },
  });
  n = h.notifications({ smtp: smtpAt(smtp.port) });
});
afterAll(async () => {
  await h.close();
  await smtp.close();
});

const to = (address: string) => (m: { to: string[] }) => m.to.includes(address);
const welcome = (address: string, extra: Partial<EmailMessage> = {}): EmailMessage => ({
  to: address,
  template: 'welcome',
  vars: { user: person(), manager: null },
  ...extra,
});
const sent = (id: string) => h.waitFor(n, id, (d) => d.status !== 'queued');

describe('delivery through SMTP', () => {
  it('delivers each message in its own language, from the configured sender, and logs it as sent', async () => {
    const [en, fr, de] = await h.queue(n, [
      welcome('en@example.test', { locale: 'en', purpose: 'welcome' }),
      welcome('fr@example.test', { locale: 'fr-FR' }),
      welcome('de@example.test', { locale: 'de' }),
    ]);
    const mails = await Promise.all(['en', 'fr', 'de'].map((l) => smtp.waitFor(to(`${l}@example.test`))));
    expect(mails.map((m) => m.subject)).toEqual(['Welcome, Ada', 'Bienvenue, Ada', 'Willkommen, Ada']);
    expect(mails[1]?.text).toContain('Votre compte ada@example.test est prêt');
    expect(mails[2]?.text).toContain('Ihr Konto ada@example.test ist');
    expect(mails[0]?.from).toBe('no-reply@joinery.test');
    expect(mails[0]?.html).toContain('<p>Hello Ada Lovelace,</p>');

    const delivery = await sent(en!);
    expect(delivery).toMatchObject({
      status: 'sent',
      to: 'en@example.test',
      template: 'welcome',
      locale: 'en',
      purpose: 'welcome',
      attempts: 1,
      lastError: null,
      messageId: `<${en}@joinery.test>`,
    });
    expect(delivery.sentAt).not.toBeNull();
    expect(mails[0]?.raw).toContain(`Message-ID: <${en}@joinery.test>`);
    expect((await sent(fr!)).locale).toBe('fr');
    expect((await sent(de!)).locale).toBe('de');
  });

  it('sends a custom subject and body with their placeholders filled', async () => {
    const [id] = await h.queue(n, [
      {
        to: 'custom@example.test',
        template: 'custom',
        subject: 'Badge for {{user.givenName}}',
        body: 'Collect your badge, {{user.displayName}}.\n\nDepartment: {{user.department}}',
        vars: { user: person(), manager: null },
      },
    ]);
    const mail = await smtp.waitFor(to('custom@example.test'));
    expect(mail.subject).toBe('Badge for Ada');
    expect(mail.text.trim()).toBe('Collect your badge, Ada Lovelace.\n\nDepartment: Engineering');
    expect((await sent(id!)).status).toBe('sent');
  });

  it('escapes people’s data in the HTML part and leaves the text part as typed', async () => {
    const user = person({ displayName: '<script>alert("x")</script>' });
    await h.queue(n, [welcome('html@example.test', { vars: { user, manager: null } })]);
    const mail = await smtp.waitFor(to('html@example.test'));
    expect(mail.text).toContain('Hello <script>alert("x")</script>,');
    expect(mail.html).toContain('Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,');
    expect(mail.html).not.toContain('<script>');
  });

  it('sends nothing for a transaction that rolled back', async () => {
    let ids: string[] = [];
    const rolledBack = h.database.db.transaction().execute(async (tx) => {
      ids = unwrap(await n.queue(tx, systemContext('test'), [welcome('rollback@example.test')]));
      throw new Error('abort');
    });
    await expect(rolledBack).rejects.toThrow('abort');
    expect(ids).toHaveLength(1);
    // A mail queued afterwards arrives: the worker was running all along.
    const [after] = await h.queue(n, [welcome('after-rollback@example.test')]);
    await sent(after!);
    expect(smtp.messages.filter(to('rollback@example.test'))).toEqual([]);
    expect((await n.getDelivery(ids[0]!)).ok).toBe(false);
    const { rows } = await h.database.executor.executeSql(
      `select count(*)::int as n from pgboss.job where data->>'deliveryId' = $1`,
      [ids[0]],
    );
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('retries a temporary 4xx refusal and then delivers once', async () => {
    const [id] = await h.queue(n, [welcome('busy@example.test')]);
    const delivery = await sent(id!);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 3 });
    expect(delivery.lastError).toContain('451');
    expect(smtp.messages.filter(to('busy@example.test'))).toHaveLength(1);
    expect(await settledJob(h.database, id!)).toEqual({ state: 'completed', retry_count: 2 });
  });

  it('marks a permanent 5xx refusal failed without retrying', async () => {
    const [id] = await h.queue(n, [welcome('nobody@example.test')]);
    const delivery = await sent(id!);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, messageId: null, sentAt: null });
    expect(delivery.lastError).toContain('550 No such user here');
    expect(await settledJob(h.database, id!)).toEqual({ state: 'completed', retry_count: 0 });
    expect(rcpts.get('nobody@example.test')).toBe(1);
  });

  it('does not send a delivery again once it was sent', async () => {
    const [id] = await h.queue(n, [welcome('twice@example.test')]);
    const first = await sent(id!);
    await settledJob(h.database, id!);
    await n.deliver(id!);
    await n.deliver(id!);
    expect(unwrap(await n.getDelivery(id!))).toEqual(first);
    expect(smtp.messages.filter(to('twice@example.test'))).toHaveLength(1);
    expect(rcpts.get('twice@example.test')).toBe(1);
  });

  it('never writes an activation code or a body to the log', async () => {
    const activation = {
      code: 'ZX81-SPECTRUM',
      url: 'https://id.example.test/activate',
      validFrom: '2026-03-02T00:00:00.000Z',
      expiresAt: '2026-03-09T00:00:00.000Z',
    };
    const [id] = await h.queue(n, [
      {
        to: 'code@example.test',
        template: 'activationCode',
        vars: { user: person(), manager: null, activation },
      },
    ]);
    expect((await smtp.waitFor(to('code@example.test'))).text).toContain('ZX81-SPECTRUM');
    await sent(id!);
    expect(h.logs.some((l) => l.deliveryId === id && l.msg === 'e-mail sent')).toBe(true);
    expect(JSON.stringify(h.logs)).not.toContain('ZX81-SPECTRUM');
    expect(JSON.stringify(h.logs)).not.toContain('Welcome aboard');
  });
});
