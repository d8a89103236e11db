import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundTestApp, type InboundTestApp, worker } from '../../test/inbound.ts';

let t: InboundTestApp;

// Entra's classic userName rule: first.last, then first-initial + last, then a numbered fallback.
const userNameRule = `SelectUniqueValue(
  Join("@", NormalizeDiacritics(StripSpaces(ToLower(Join(".", [name.givenName], [name.familyName])))), "example.com"),
  Join("@", NormalizeDiacritics(StripSpaces(ToLower(Join("", Mid([name.givenName], 1, 1), [name.familyName])))), "example.com"),
  Join("@", NormalizeDiacritics(StripSpaces(ToLower(Join("", [name.givenName], [name.familyName], "2")))), "example.com")
)`;

beforeAll(async () => {
  t = await createInboundTestApp();
  const res = await t.call('POST', '/api/v1/inbound/sources', {
    token: t.admin,
    body: {
      id: 'names',
      type: 'bulk-upload',
      name: 'generated userNames',
      mappings: [
        { target: 'userName', type: 'expression', expression: userNameRule, apply: 'onCreate' },
        { target: 'givenName', type: 'direct', source: 'name.givenName' },
        { target: 'familyName', type: 'direct', source: 'name.familyName' },
        { target: 'title', type: 'direct', source: 'title' },
      ],
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
});
afterAll(async () => {
  await t.close();
});

describe('SelectUniqueValue against the directory', () => {
  it('generates a userName from names, skipping values the directory or the same batch already holds', async () => {
    const first = await t.settle(
      (await t.bulkUpload([worker('N1', { given: 'José', family: 'Núñez' })], { source: 'names' })).id,
      'names',
    );
    expect(first.operations[0]?.status).toBe('created');
    expect((await t.getUserByEmployeeId('N1'))?.userName).toBe('jose.nunez@example.com');

    const both = await t.settle(
      (
        await t.bulkUpload(
          [
            worker('N2', { given: 'José', family: 'Núñez' }),
            worker('N3', { given: 'José', family: 'Núñez' }),
          ],
          { source: 'names' },
        )
      ).id,
      'names',
    );
    expect(both.operations.map((o) => o.status)).toEqual(['created', 'created']);
    expect((await t.getUserByEmployeeId('N2'))?.userName).toBe('jnunez@example.com');
    expect((await t.getUserByEmployeeId('N3'))?.userName).toBe('josenunez2@example.com');
  });

  it('an onCreate mapping leaves an existing user alone; exhausting every candidate fails the record', async () => {
    const update = await t.settle(
      (
        await t.bulkUpload([worker('N1', { given: 'José', family: 'Núñez', title: 'Chef' })], {
          source: 'names',
        })
      ).id,
      'names',
    );
    expect(update.operations[0]?.changed).toEqual([
      { attribute: 'title', oldValue: 'Engineer', newValue: 'Chef' },
    ]);
    const fourth = await t.settle(
      (await t.bulkUpload([worker('N4', { given: 'José', family: 'Núñez' })], { source: 'names' })).id,
      'names',
    );
    expect(fourth.operations[0]?.status).toBe('failed');
    expect(fourth.operations[0]?.error?.code).toBe('inbound.mapping_failed');
    expect(fourth.operations[0]?.error?.message).toMatch(/userName: .*unique/i);
  });
});

describe('Redact', () => {
  it('writes the value but the provisioning log shows a marker instead of it', async () => {
    const res = await t.call('POST', '/api/v1/inbound/sources', {
      token: t.admin,
      body: {
        id: 'private',
        type: 'bulk-upload',
        name: 'redacted personal e-mail',
        mappings: [
          { target: 'userName', type: 'direct', source: 'userName' },
          {
            target: 'personalEmail',
            type: 'expression',
            expression: 'Redact([emails[type eq "home"].value])',
          },
        ],
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const done = await t.settle(
      (
        await t.bulkUpload(
          [{ ...worker('RD1'), emails: [{ type: 'home', value: 'secret.person@home.example' }] }],
          { source: 'private' },
        )
      ).id,
      'private',
    );
    expect(done.operations[0]?.changed).toContainEqual({
      attribute: 'personalEmail',
      oldValue: null,
      newValue: '[Redacted]',
    });
    expect(JSON.stringify(done)).not.toContain('secret.person');
    expect((await t.getUserByEmployeeId('RD1'))?.personalEmail).toBe('secret.person@home.example');
  });
});
