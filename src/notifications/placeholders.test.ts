import { describe, expect, it } from 'vitest';
import { failed } from '../../test/results.ts';
import { createNotifications } from './index.ts';
import { baseSettings } from './test-support.ts';

// checkTemplate and placeholders need no database or queue.
const n = createNotifications({
  db: null as never,
  clock: { now: () => new Date() },
  jobs: null as never,
  logger: null as never,
  settings: baseSettings,
});

describe('checkTemplate', () => {
  it('accepts every documented placeholder, with or without spaces inside the braces', () => {
    const all = n.placeholders().map((p, i) => (i % 2 ? `{{${p}}}` : `{{ ${p} }}`));
    expect(n.checkTemplate(`Dear {{user.givenName}}, ${all.join(' ')} plain { braces } too`)).toEqual({
      ok: true,
      value: undefined,
    });
    expect(n.placeholders()).toContain('manager.employeeLeaveDateTime');
    expect(n.placeholders()).toContain('activation.expiresAt');
    expect(n.placeholders()).toContain('changes');
  });

  it('rejects an unknown placeholder and names it', () => {
    const error = failed(n.checkTemplate('Hi {{user.givenName}}, your badge is {{user.badge}}'));
    expect(error.code).toBe('notifications.invalid_template');
    expect(error.details).toMatchObject({ placeholder: 'user.badge', position: 37 });
    expect(error.message).toContain('{{user.badge}}');
  });

  it('rejects a placeholder of the wrong case (names are exact)', () => {
    expect(failed(n.checkTemplate('{{User.GivenName}}')).details).toMatchObject({
      placeholder: 'User.GivenName',
    });
  });

  it.each([
    ['an unclosed placeholder', 'Hello {{user.givenName', { position: 6 }],
    ['a stray closing brace pair', 'Hello user.givenName}}', { position: 20 }],
    ['an empty placeholder', 'Hello {{ }}', { position: 6, placeholder: '' }],
    ['nested braces', 'Hello {{ {{user.givenName}} }}', { position: 6 }],
    ['an expression', 'Hello {{user.givenName | upper}}', { placeholder: 'user.givenName | upper' }],
  ])('rejects %s', (_what, text, details) => {
    const error = failed(n.checkTemplate(text));
    expect(error.code).toBe('notifications.invalid_template');
    expect(error.details).toMatchObject(details);
  });
});
