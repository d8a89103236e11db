import { BusyError, InvalidCredentialsError, NoSuchObjectError, UnwillingToPerformError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { explainAdDiagnostic, toFailure } from './errors.ts';

const ctx = { operation: 'op', secrets: ['s3cret'] };

describe('LDAP errors as connector failures', () => {
  it('maps result codes', () => {
    expect(toFailure(new InvalidCredentialsError('bad s3cret'), ctx)).toMatchObject({
      code: 'auth',
      retryable: false,
      status: 49,
    });
    expect(toFailure(new BusyError(), ctx)).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(toFailure(new UnwillingToPerformError(), ctx)).toMatchObject({ code: 'server', retryable: true });
    expect(toFailure(new NoSuchObjectError(), ctx)).toMatchObject({ code: 'not_found' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toFailure(refused, ctx)).toMatchObject({ code: 'unreachable', retryable: true });
    expect(toFailure(new Error('Connection timeout'), ctx)).toMatchObject({
      code: 'unreachable',
      retryable: true,
    });
  });

  it('never repeats a secret', () => {
    expect(toFailure(new InvalidCredentialsError('bad s3cret'), ctx).message).not.toContain('s3cret');
  });

  it('explains AD diagnostics and treats AD policy refusals as invalid', () => {
    const policy = new UnwillingToPerformError(
      '0000052D: SvcErr: DSID-031A1248, problem 5003 (WILL_NOT_PERFORM), data 0',
    );
    const failure = toFailure(policy, { ...ctx, ad: true });
    expect(failure).toMatchObject({ code: 'invalid', retryable: false, status: 53 });
    expect(failure.message).toContain('password policy');
    expect(
      explainAdDiagnostic(
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563',
      ),
    ).toBe('Active Directory: account locked out');
    expect(explainAdDiagnostic('plain text')).toBeUndefined();
  });
});
