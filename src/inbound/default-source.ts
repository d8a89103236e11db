import type { SourceConfigInput } from './source-schema.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const JOINERY = 'urn:ietf:params:scim:schemas:extension:joinery:2.0:User';

/**
 * The source every fresh install has: id `hr`, type bulk-upload, with the attribute mapping Microsoft
 * ships for API-driven inbound provisioning (SCIM core and Enterprise User attributes, `externalId` ↔
 * `employeeId`, manager by the manager's externalId), translated to Joinery's directory attributes.
 * Entra's address attributes have no directory column yet and are left unmapped.
 */
export const defaultHrSource: SourceConfigInput & { id: string } = {
  id: 'hr',
  type: 'bulk-upload',
  name: 'HR (API-driven inbound provisioning)',
  matching: [{ source: 'externalId', target: 'employeeId' }],
  mappings: [
    { target: 'employeeId', type: 'direct', source: 'externalId' },
    { target: 'userName', type: 'direct', source: 'userName' },
    { target: 'displayName', type: 'direct', source: 'displayName' },
    { target: 'givenName', type: 'direct', source: 'name.givenName' },
    { target: 'familyName', type: 'direct', source: 'name.familyName' },
    { target: 'middleName', type: 'direct', source: 'name.middleName' },
    { target: 'honorificPrefix', type: 'direct', source: 'name.honorificPrefix' },
    { target: 'honorificSuffix', type: 'direct', source: 'name.honorificSuffix' },
    { target: 'title', type: 'direct', source: 'title' },
    { target: 'employeeType', type: 'direct', source: 'userType' },
    { target: 'preferredLanguage', type: 'direct', source: 'preferredLanguage' },
    { target: 'timezone', type: 'direct', source: 'timezone' },
    { target: 'accountEnabled', type: 'direct', source: 'active' },
    { target: 'emails.work', type: 'direct', source: 'emails[type eq "work"].value' },
    { target: 'phoneNumbers.work', type: 'direct', source: 'phoneNumbers[type eq "work"].value' },
    { target: 'phoneNumbers.mobile', type: 'direct', source: 'phoneNumbers[type eq "mobile"].value' },
    { target: 'department', type: 'direct', source: `${ENTERPRISE}:department` },
    { target: 'division', type: 'direct', source: `${ENTERPRISE}:division` },
    { target: 'costCenter', type: 'direct', source: `${ENTERPRISE}:costCenter` },
    { target: 'companyName', type: 'direct', source: `${ENTERPRISE}:organization` },
    { target: 'manager', type: 'direct', source: `${ENTERPRISE}:manager.value` },
    { target: 'employeeHireDate', type: 'direct', source: `${JOINERY}:employeeHireDate` },
    { target: 'employeeLeaveDateTime', type: 'direct', source: `${JOINERY}:employeeLeaveDateTime` },
    { target: 'usageLocation', type: 'direct', source: `${JOINERY}:usageLocation` },
    { target: 'personalEmail', type: 'direct', source: `${JOINERY}:personalEmail` },
  ],
  scoping: [],
  deletionThreshold: { count: 500, percent: null },
};
