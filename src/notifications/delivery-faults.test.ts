import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer } from '../../test/peers/smtp.ts';
import type { EmailMessage } from './index.ts';
import { type Harness, person, RETRY_LIMIT, settledJob, smtpAt, startHarness } from './test-support.ts';

// Each test makes its own notifications instance (its own SMTP settings); the queue's jobs run on the
// latest one, so these tests run one after another and each waits for its deliveries to settle.
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ work: true });
});
afterAll(async () => {
  await h.close();
});

const welcome = (address: string): EmailMessage => ({
  to: address,
  template: 'welcome',
  vars: { user: person(), manager: null },
});

/** A port nothing listens on: a server is started there and stopped again. */
async function freePort(): Promise<number> {
  const probe = await startSmtpServer();
  await probe.close();
  return probe.port;
}

describe('delivery faults', () => {
  it('records not_configured once, without retrying, when no SMTP server is set', async () => {
    const n = h.notifications({ smtp: null });
    const [id] = await h.queue(n, [welcome('nowhere@example.test')]);
    const delivery = await h.waitFor(n, id!, (d) => d.status !== 'queued');
    expect(delivery).toMatchObject({ status: 'not_configured', attempts: 0, sentAt: null });
    expect(await settledJob(h.database, id!)).toEqual({ state: 'completed', retry_count: 0 });
    await n.deliver(id!);
    const lines = h.logs.filter((l) => l.deliveryId === id && String(l.msg).includes('no SMTP server'));
    expect(lines).toHaveLength(1);
  });

  it('keeps retrying while the SMTP server is down and delivers once it is back', async () => {
    const port = await freePort();
    const n = h.notifications({ smtp: smtpAt(port) });
    const [id] = await h.queue(n, [welcome('patient@example.test')]);
    const failedOnce = await h.waitFor(n, id!, (d) => d.attempts >= 1);
    expect(failedOnce.status).toBe('queued');
    expect(failedOnce.lastError).toMatch(/ECONNREFUSED|connect/i);
    const smtp = await startSmtpServer({ port });
    try {
      const mail = await smtp.waitFor((m) => m.to.includes('patient@example.test'));
      expect(mail.subject).toBe('Welcome, Ada');
      const delivery = await h.waitFor(n, id!, (d) => d.status !== 'queued');
      expect(delivery.status).toBe('sent');
      expect(delivery.attempts).toBeGreaterThanOrEqual(2);
      expect(smtp.messages).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });

  it('authenticates with the configured user and password', async () => {
    const smtp = await startSmtpServer({ auth: { user: 'joinery', password: 's3cret-pass' } });
    try {
      const n = h.notifications({ smtp: { ...smtpAt(smtp.port), user: 'joinery', password: 's3cret-pass' } });
      const [id] = await h.queue(n, [welcome('authed@example.test')]);
      await smtp.waitFor((m) => m.to.includes('authed@example.test'));
      expect((await h.waitFor(n, id!, (d) => d.status !== 'queued')).status).toBe('sent');
    } finally {
      await smtp.close();
    }
  });

  it('retries a refused login, marks the delivery failed after the last retry, and never logs the password', async () => {
    const smtp = await startSmtpServer({ auth: { user: 'joinery', password: 's3cret-pass' } });
    try {
      const n = h.notifications({ smtp: { ...smtpAt(smtp.port), user: 'joinery', password: 'wrong-pass' } });
      const [id] = await h.queue(n, [welcome('denied@example.test')]);
      const delivery = await h.waitFor(n, id!, (d) => d.status !== 'queued');
      expect(delivery).toMatchObject({ status: 'failed', attempts: RETRY_LIMIT + 1 });
      expect(delivery.lastError).toContain('535');
      expect(await settledJob(h.database, id!)).toEqual({ state: 'completed', retry_count: RETRY_LIMIT });
      expect(smtp.messages).toEqual([]);
      expect(JSON.stringify(h.logs)).not.toContain('wrong-pass');
    } finally {
      await smtp.close();
    }
  });

  it('refuses to send without AUTH to a server that requires it (530 is permanent)', async () => {
    const smtp = await startSmtpServer({ auth: { user: 'joinery', password: 's3cret-pass' } });
    try {
      const n = h.notifications({ smtp: smtpAt(smtp.port) });
      const [id] = await h.queue(n, [welcome('anonymous@example.test')]);
      const delivery = await h.waitFor(n, id!, (d) => d.status !== 'queued');
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
      expect(delivery.lastError).toContain('530');
    } finally {
      await smtp.close();
    }
  });
});
