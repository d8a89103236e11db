import { describe, expect, it } from 'vitest';
import { flatSourceRecord, scimSourceRecord } from './source-record.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CSV = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';
const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

/** The `data` of one Operation in an Entra API-driven inbound /bulkUpload request. */
function bulkUploadData(): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE, CSV],
    externalId: 'E701',
    userName: 'jdoe@contoso.com',
    displayName: 'Jane Doe',
    nickName: 'JD',
    active: true,
    title: 'Engineer',
    userType: 'Employee',
    timezone: 'Europe/Paris',
    name: { familyName: 'Doe', givenName: 'Jane', formatted: 'Jane Doe' },
    emails: [
      { type: 'work', value: 'jdoe@contoso.com', primary: true },
      { type: 'home', value: 'jane@example.org' },
    ],
    phoneNumbers: [
      { type: 'work', value: '+33 1 23 45 67 89' },
      { type: 'mobile', value: '+33 6 12 34 56 78' },
    ],
    addresses: [
      {
        type: 'work',
        streetAddress: '1 rue de la Paix',
        locality: 'Paris',
        postalCode: '75002',
        country: 'FR',
      },
    ],
    [ENTERPRISE]: {
      employeeNumber: '701',
      department: 'Sales',
      costCenter: 'CC-42',
      manager: { value: 'E123' },
    },
    [CSV]: { HireDate: '2024-03-01', WorkerStatus: 'Active' },
  };
}

describe('scimSourceRecord', () => {
  it('resolves core attributes with their JSON types', () => {
    const r = scimSourceRecord(bulkUploadData());
    expect(r.get('userName')).toBe('jdoe@contoso.com');
    expect(r.get('externalId')).toBe('E701');
    expect(r.get('displayName')).toBe('Jane Doe');
    expect(r.get('active')).toBe(true);
    expect(r.get('userType')).toBe('Employee');
    expect(r.get('title')).toBe('Engineer');
    expect(r.get('timezone')).toBe('Europe/Paris');
  });

  it('matches names case-insensitively in every segment', () => {
    const r = scimSourceRecord(bulkUploadData());
    expect(r.get('UserName')).toBe('jdoe@contoso.com');
    expect(r.get('USERNAME')).toBe('jdoe@contoso.com');
    expect(r.get('NAME.givenname')).toBe('Jane');
    expect(r.get('Name.FamilyName')).toBe('Doe');
    expect(r.get('EMAILS[TYPE EQ "WORK"].VALUE')).toBe('jdoe@contoso.com');
    expect(r.get('URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT')).toBe('Sales');
    expect(r.get('urn:ietf:params:scim:schemas:extension:csv:1.0:user:hiredate')).toBe('2024-03-01');
  });

  it('matches the input case-insensitively too', () => {
    const r = scimSourceRecord({
      UserName: 'x@contoso.com',
      NAME: { GivenName: 'X' },
      Emails: [{ Type: 'Work', Value: 'x@contoso.com', Primary: 'True' }],
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': {
        Department: 'HR',
        Manager: { Value: 'M1' },
      },
    });
    expect(r.get('userName')).toBe('x@contoso.com');
    expect(r.get('name.givenName')).toBe('X');
    expect(r.get('emails[type eq "work"].value')).toBe('x@contoso.com');
    expect(r.get('emails[primary eq true].value')).toBe('x@contoso.com');
    expect(r.get('emails')).toEqual(['x@contoso.com']);
    expect(r.get(`${ENTERPRISE}:department`)).toBe('HR');
    expect(r.get(`${ENTERPRISE}:manager.value`)).toBe('M1');
    expect(r.names()).toEqual([
      'UserName',
      'NAME.GivenName',
      'Emails',
      'Emails[type eq "Work"].Value',
      'Emails[type eq "Work"].Primary',
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:Department',
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:Manager.Value',
    ]);
  });

  it('resolves sub-attributes', () => {
    const r = scimSourceRecord(bulkUploadData());
    expect(r.get('name.givenName')).toBe('Jane');
    expect(r.get('name.familyName')).toBe('Doe');
    expect(r.get('name.formatted')).toBe('Jane Doe');
    expect(r.get('name')).toBeUndefined();
    expect(r.get('name.middleName')).toBeUndefined();
  });

  it('resolves Entra value paths on multi-valued attributes', () => {
    const r = scimSourceRecord(bulkUploadData());
    expect(r.get('emails[type eq "work"].value')).toBe('jdoe@contoso.com');
    expect(r.get('emails[type eq "home"].value')).toBe('jane@example.org');
    expect(r.get('phoneNumbers[type eq "mobile"].value')).toBe('+33 6 12 34 56 78');
    expect(r.get('phoneNumbers[type eq "work"].value')).toBe('+33 1 23 45 67 89');
    expect(r.get('addresses[type eq "work"].locality')).toBe('Paris');
    expect(r.get('addresses[type eq "work"].postalCode')).toBe('75002');
    expect(r.get('emails[primary eq true].value')).toBe('jdoe@contoso.com');
    expect(r.get('emails[type eq "other"].value')).toBeUndefined();
    expect(r.get('phoneNumbers[type eq "fax"].value')).toBeUndefined();
    expect(r.get('addresses[type eq "home"].locality')).toBeUndefined();
  });

  it('accepts value-path spelling variations', () => {
    const r = scimSourceRecord(bulkUploadData());
    expect(r.get("emails[type eq 'work'].value")).toBe('jdoe@contoso.com');
    expect(r.get('emails[ type  eq  "work" ].value')).toBe('jdoe@contoso.com');
    expect(r.get('emails[type eq "work"]')).toBe('jdoe@contoso.com');
    expect(r.get('emails[primary eq "true"].value')).toBe('jdoe@contoso.com');
    expect(r.get('emails[primary eq True].type')).toBe('work');
    expect(r.get('emails[primary eq false].value')).toBeUndefined();
  });

  it('gives a bare multi-valued name the array of its values', () => {
    const r = scimSourceRecord(bulkUploadData());
    expect(r.get('emails')).toEqual(['jdoe@contoso.com', 'jane@example.org']);
    expect(r.get('emails.value')).toEqual(['jdoe@contoso.com', 'jane@example.org']);
    expect(r.get('phoneNumbers')).toEqual(['+33 1 23 45 67 89', '+33 6 12 34 56 78']);
    // Addresses have no `value` sub-attribute, so the bare name has nothing to list.
    expect(r.get('addresses')).toBeUndefined();
  });

  it('takes the first element of a repeated type, as Entra does', () => {
    const r = scimSourceRecord({
      emails: [
        { type: 'work', value: 'first@contoso.com' },
        { type: 'WORK', value: 'second@contoso.com' },
      ],
    });
    expect(r.get('emails[type eq "work"].value')).toBe('first@contoso.com');
    expect(r.get('emails')).toEqual(['first@contoso.com', 'second@contoso.com']);
  });

  it('resolves the enterprise extension by full URN path, manager included', () => {
    const r = scimSourceRecord(bulkUploadData());
    expect(r.get(`${ENTERPRISE}:department`)).toBe('Sales');
    expect(r.get(`${ENTERPRISE}:employeeNumber`)).toBe('701');
    expect(r.get(`${ENTERPRISE}:costCenter`)).toBe('CC-42');
    expect(r.get(`${ENTERPRISE}:manager.value`)).toBe('E123');
    expect(r.get(`${ENTERPRISE}:manager`)).toBeUndefined();
    expect(r.get('department')).toBeUndefined();
  });

  it('resolves custom extension namespaces, nested sub-attributes included', () => {
    const r = scimSourceRecord({
      schemas: [CSV, ACME],
      [CSV]: { HireDate: '2024-03-01' },
      [ACME]: { badge: { id: 'B-9', issued: '2023-01-01' }, shifts: ['early', 'late'] },
    });
    expect(r.get(`${CSV}:HireDate`)).toBe('2024-03-01');
    expect(r.get(`${ACME}:badge.id`)).toBe('B-9');
    expect(r.get('urn:ietf:params:scim:schemas:extension:ACME:2.0:user:BADGE.ID')).toBe('B-9');
    expect(r.get(`${ACME}:shifts`)).toEqual(['early', 'late']);
  });

  it('reads a container named in schemas even when it does not end in :User', () => {
    const urn = 'urn:example:params:scim:hr:v1';
    const r = scimSourceRecord({ schemas: [urn], [urn]: { grade: 'G7' } });
    expect(r.get(`${urn}:grade`)).toBe('G7');
  });

  it('resolves URN-prefixed attributes the client put at top level', () => {
    const r = scimSourceRecord({
      userName: 'a@contoso.com',
      [`${ENTERPRISE}:department`]: 'Finance',
      [`${ENTERPRISE}:manager`]: { value: 'E9' },
      [`${CSV}:HireDate`]: '2020-01-01',
      [`${ACME}:badge.id`]: 'B-1',
    });
    expect(r.get(`${ENTERPRISE}:department`)).toBe('Finance');
    expect(r.get(`${ENTERPRISE.toUpperCase()}:DEPARTMENT`)).toBe('Finance');
    expect(r.get(`${ENTERPRISE}:manager.value`)).toBe('E9');
    expect(r.get(`${CSV}:hiredate`)).toBe('2020-01-01');
    expect(r.get(`${ACME}:badge.id`)).toBe('B-1');
  });

  it('accepts core attributes by their fully qualified name', () => {
    const r = scimSourceRecord(bulkUploadData());
    expect(r.get('urn:ietf:params:scim:schemas:core:2.0:User:userName')).toBe('jdoe@contoso.com');
    expect(r.get('urn:ietf:params:scim:schemas:core:2.0:User:name.givenName')).toBe('Jane');
  });

  it('keeps JSON types: booleans stay booleans, "true" stays a string, null stays null', () => {
    const r = scimSourceRecord({
      active: false,
      userType: 'true',
      title: null,
      age: 41,
      tags: ['a', 1, true, null],
    });
    expect(r.get('active')).toBe(false);
    expect(r.get('userType')).toBe('true');
    expect(r.get('title')).toBeNull();
    expect(r.get('age')).toBe(41);
    expect(r.get('tags')).toEqual(['a', 1, true, null]);
    expect(r.get('missing')).toBeUndefined();
  });

  it('lists names as received and serialises to the same values', () => {
    const r = scimSourceRecord(bulkUploadData());
    expect(r.names()).toEqual([
      'externalId',
      'userName',
      'displayName',
      'nickName',
      'active',
      'title',
      'userType',
      'timezone',
      'name.familyName',
      'name.givenName',
      'name.formatted',
      'emails',
      'emails[type eq "work"].value',
      'emails[type eq "work"].primary',
      'emails[type eq "home"].value',
      'phoneNumbers',
      'phoneNumbers[type eq "work"].value',
      'phoneNumbers[type eq "mobile"].value',
      'addresses[type eq "work"].streetAddress',
      'addresses[type eq "work"].locality',
      'addresses[type eq "work"].postalCode',
      'addresses[type eq "work"].country',
      `${ENTERPRISE}:employeeNumber`,
      `${ENTERPRISE}:department`,
      `${ENTERPRISE}:costCenter`,
      `${ENTERPRISE}:manager.value`,
      `${CSV}:HireDate`,
      `${CSV}:WorkerStatus`,
    ]);
    const json = r.toJSON();
    expect(Object.keys(json)).toEqual(r.names());
    for (const n of r.names()) expect(r.get(n)).toEqual(json[n]);
    expect(json[`${ENTERPRISE}:manager.value`]).toBe('E123');
    expect(JSON.parse(JSON.stringify(r))).toEqual(json);
  });

  it('returns a fresh names() array each time', () => {
    const r = scimSourceRecord({ userName: 'a' });
    r.names().push('x');
    expect(r.names()).toEqual(['userName']);
  });

  it('keeps the first spelling when two keys differ only by case', () => {
    const r = scimSourceRecord({ title: 'first', Title: 'second' });
    expect(r.get('TITLE')).toBe('first');
    expect(r.names()).toEqual(['title']);
  });

  it('ignores values without a JSON form and does not recurse without bound', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const cyclic: Record<string, unknown> = { userName: 'c' };
    cyclic['self'] = cyclic;
    const r = scimSourceRecord({ userName: 'u', fn: () => 1, nothing: undefined, deep });
    expect(r.names()).toEqual(['userName']);
    expect(scimSourceRecord(cyclic).get('userName')).toBe('c');
  });
});

describe('flatSourceRecord', () => {
  it('matches CSV headers case-insensitively, spaces and dots as-is', () => {
    const r = flatSourceRecord({
      'Employee ID': '701',
      'Cost.Center': 'CC-1',
      FirstName: 'Jane',
      Active: 'true',
    });
    expect(r.get('Employee ID')).toBe('701');
    expect(r.get('employee id')).toBe('701');
    expect(r.get('EMPLOYEE ID')).toBe('701');
    expect(r.get('cost.center')).toBe('CC-1');
    expect(r.get('firstname')).toBe('Jane');
    expect(r.get('Active')).toBe('true');
    expect(r.get('EmployeeID')).toBeUndefined();
    expect(r.names()).toEqual(['Employee ID', 'Cost.Center', 'FirstName', 'Active']);
  });

  it('reaches nested JSON by dotted paths', () => {
    const r = flatSourceRecord({
      Worker: { Name: { First: 'Jane', Last: 'Doe' }, ID: 701, Active: true, Skills: ['go', 'ts'] },
      Manager: null,
    });
    expect(r.get('Worker.Name.First')).toBe('Jane');
    expect(r.get('worker.name.last')).toBe('Doe');
    expect(r.get('WORKER.ID')).toBe(701);
    expect(r.get('Worker.Active')).toBe(true);
    expect(r.get('Worker.Skills')).toEqual(['go', 'ts']);
    expect(r.get('Manager')).toBeNull();
    expect(r.get('Worker')).toBeUndefined();
    expect(r.toJSON()).toEqual({
      'Worker.Name.First': 'Jane',
      'Worker.Name.Last': 'Doe',
      'Worker.ID': 701,
      'Worker.Active': true,
      'Worker.Skills': ['go', 'ts'],
      Manager: null,
    });
  });

  it('does not treat SCIM value paths specially', () => {
    const r = flatSourceRecord({ 'emails[type eq "work"].value': 'a@b.c', emails: ['a@b.c'] });
    expect(r.get('EMAILS[TYPE EQ "WORK"].VALUE')).toBe('a@b.c');
    expect(r.get('emails[type eq "home"].value')).toBeUndefined();
  });

  it('renders Dates as ISO text and keeps "__proto__" as data', () => {
    const input: Record<string, unknown> = { Hired: new Date('2024-03-01T00:00:00Z') };
    Object.defineProperty(input, '__proto__', { value: 'p', enumerable: true });
    const r = flatSourceRecord(input);
    expect(r.get('hired')).toBe('2024-03-01T00:00:00.000Z');
    expect(r.get('__proto__')).toBe('p');
    const json = r.toJSON();
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(json, '__proto__')?.value).toBe('p');
  });
});

describe('a complex attribute sent as null', () => {
  it('gives null (cleared) for its sub-attributes, and undefined for attributes never sent', () => {
    const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const r = scimSourceRecord({ externalId: 'E1', [enterprise]: { manager: null }, name: null });
    expect(r.get(`${enterprise}:manager.value`)).toBeNull();
    expect(r.get('name.givenName')).toBeNull();
    expect(r.get(`${enterprise}:department`)).toBeUndefined();
    expect(r.get('title.value')).toBeUndefined();
  });
});
