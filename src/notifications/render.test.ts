import { describe, expect, it } from 'vitest';
import { failed } from '../../test/results.ts';
import { unwrap } from '../core/index.ts';
import { type EmailMessage, renderEmail } from './index.ts';
import { person } from './test-support.ts';

const settings = { defaultLocale: 'en', defaultTimezone: 'UTC' };
/** Intl separates date parts with narrow or no-break spaces depending on the ICU version. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

function render(message: Partial<EmailMessage>, s = settings) {
  return unwrap(
    renderEmail(
      { to: 'ada@example.test', template: 'welcome', vars: { user: person(), manager: null }, ...message },
      s,
    ),
  );
}

describe('locales', () => {
  it('uses the built-in texts of the message language', () => {
    expect(render({ locale: 'en' }).subject).toBe('Welcome, Ada');
    expect(render({ locale: 'fr' }).subject).toBe('Bienvenue, Ada');
    expect(render({ locale: 'de' }).subject).toBe('Willkommen, Ada');
  });

  it('falls back from a regional tag to its language, then to the default, then to English', () => {
    expect(render({ locale: 'fr-CA' })).toMatchObject({ subject: 'Bienvenue, Ada', locale: 'fr' });
    expect(render({ locale: 'de_AT' })).toMatchObject({ subject: 'Willkommen, Ada', locale: 'de' });
    expect(render({ locale: 'pt-BR' }, { ...settings, defaultLocale: 'de-CH' }).locale).toBe('de');
    expect(render({ locale: null }, { ...settings, defaultLocale: 'fr' }).locale).toBe('fr');
    expect(render({ locale: 'not a tag!' }, { ...settings, defaultLocale: 'it' }).locale).toBe('en');
  });

  it('formats dates in the language of the message', () => {
    const hired = { user: person({ employeeHireDate: '2026-03-02T00:00:00.000Z' }), manager: null };
    expect(plain(render({ locale: 'fr', vars: hired }).text)).toContain('le 2 mars 2026.');
    expect(plain(render({ locale: 'de', vars: hired }).text)).toContain('den 2. März 2026, bereit');
    expect(plain(render({ locale: 'en', vars: hired }).text)).toContain('first day, March 2, 2026.');
  });
});

describe('dates', () => {
  const leaving = (employeeLeaveDateTime: string, timezone: string | null) => ({
    template: 'managerAfterLastDay' as const,
    vars: { user: person({ employeeLeaveDateTime, timezone }), manager: person({ displayName: 'Grace' }) },
  });

  it('shows a midnight-UTC value as that calendar day, whatever the zone', () => {
    const text = plain(render({ ...leaving('2026-06-30T00:00:00.000Z', 'America/Los_Angeles') }).text);
    expect(text).toContain('left on June 30, 2026 and');
  });

  it("shows any other instant in the person's own zone", () => {
    const paris = render({ ...leaving('2026-06-30T16:00:00.000Z', 'Europe/Paris'), locale: 'fr' });
    expect(plain(paris.text)).toContain("quitté l'entreprise le 30 juin 2026 à 18:00");
    const tokyo = render({ ...leaving('2026-06-30T16:00:00.000Z', 'Asia/Tokyo') });
    expect(plain(tokyo.text)).toContain('July 1, 2026 at 1:00 AM');
  });

  it('uses the default zone when the person has none or an unknown one', () => {
    const s = { ...settings, defaultTimezone: 'America/New_York' };
    for (const zone of [null, 'Mars/Olympus_Mons'])
      expect(plain(render(leaving('2026-06-30T16:00:00.000Z', zone), s).text)).toContain(
        'June 30, 2026 at 12:00 PM',
      );
  });
});

describe('values', () => {
  it('renders missing values and a missing manager as empty strings', () => {
    const r = render({
      template: 'onboardingReminder',
      vars: { user: person({ givenName: null, department: null }), manager: null },
    });
    // The reminder is addressed to the manager: none gives an empty name, not "null".
    expect(r.text).toMatch(/^Hello ,\n/);
  });

  it('escapes values in the HTML part and keeps the text part plain', () => {
    const r = render({ vars: { user: person({ displayName: '<b>Bob & "Co"</b>' }), manager: null } });
    expect(r.text).toContain('Hello <b>Bob & "Co"</b>,');
    expect(r.html).toContain('Hello &lt;b&gt;Bob &amp; &quot;Co&quot;&lt;/b&gt;,');
    expect(r.html).not.toContain('<b>');
    expect(r.text).not.toMatch(/<\/?(p|br|html|a)\b/);
    expect(r.html).toMatch(/<p>Hello .*,<\/p>\n<p>Welcome aboard!/);
  });

  it('links the activation URL in the HTML part, and no URL that came from a person', () => {
    const r = render({
      template: 'activationCode',
      vars: {
        user: person({ displayName: 'https://evil.test/x' }),
        manager: null,
        activation: {
          code: 'K7Q-93X',
          url: 'https://id.example.test/activate?u=ada&x=1',
          validFrom: '2026-03-02T00:00:00.000Z',
          expiresAt: '2026-03-09T17:30:00.000Z',
        },
      },
    });
    expect(r.text).toContain('Your activation code is: K7Q-93X');
    expect(plain(r.text)).toContain('from March 2, 2026 until March 9, 2026 at 6:30 PM.');
    expect(r.html).toContain(
      '<a href="https://id.example.test/activate?u=ada&amp;x=1">https://id.example.test/activate?u=ada&amp;x=1</a>',
    );
    expect(r.html).not.toContain('href="https://evil');
  });

  it('lists changes one per line, dates formatted and empty values named', () => {
    const r = render({
      template: 'managerUserMoved',
      locale: 'de',
      vars: {
        user: person(),
        manager: person({ displayName: 'Grace Hopper' }),
        changes: [
          { attribute: 'department', before: 'Sales', after: 'Marketing' },
          { attribute: 'title', before: null, after: 'Lead' },
          { attribute: 'employeeLeaveDateTime', before: null, after: '2026-09-30T00:00:00.000Z' },
          { attribute: 'proxyAddresses', before: ['a@x.test', 'b@x.test'], after: [] },
        ],
      },
    });
    expect(r.subject).toBe('Ada Lovelace hat eine neue Position');
    expect(plain(r.text)).toContain(
      [
        '- department: Sales → Marketing',
        '- title: (leer) → Lead',
        '- employeeLeaveDateTime: (leer) → 30. September 2026',
        '- proxyAddresses: a@x.test, b@x.test → (leer)',
      ].join('\n'),
    );
    expect(r.html).toContain('- department: Sales → Marketing<br>\n- title: (leer) → Lead');
  });
});

describe('custom subjects and bodies', () => {
  it('overrides the built-in subject or body with the caller’s text', () => {
    const r = render({ subject: 'Hi {{user.givenName}} from {{user.department}}', locale: 'fr' });
    expect(r.subject).toBe('Hi Ada from Engineering');
    expect(r.text).toContain('Bienvenue parmi nous');
  });

  it('keeps a subject on one line', () => {
    const r = render({
      subject: 'Team {{user.department}}',
      vars: { user: person({ department: 'R&D\r\nBcc: x' }), manager: null },
    });
    expect(r.subject).toBe('Team R&D Bcc: x');
  });

  it('needs both a subject and a body for the custom template', () => {
    const error = failed(
      renderEmail(
        { to: 'a@b.test', template: 'custom', subject: 'Hi', vars: { user: person(), manager: null } },
        settings,
      ),
    );
    expect(error).toMatchObject({ code: 'notifications.invalid_template', details: { missing: 'body' } });
    const r = render({
      template: 'custom',
      subject: 'Hi {{user.givenName}}',
      body: 'Your title: {{user.title}}',
    });
    expect(r).toMatchObject({ subject: 'Hi Ada', text: 'Your title: Analyst' });
  });

  it('refuses an unknown placeholder in a custom text, naming it and the part', () => {
    const error = failed(
      renderEmail(
        {
          to: 'a@b.test',
          template: 'custom',
          subject: 'Hi',
          body: 'Bye {{user.nickname}}',
          vars: { user: person(), manager: null },
        },
        settings,
      ),
    );
    expect(error).toMatchObject({
      code: 'notifications.invalid_template',
      details: { placeholder: 'user.nickname', part: 'body' },
    });
  });
});
