import type { ResourceSchemas } from './resource-schemas.ts';
import type { AttributeDefinition, SchemaDefinition } from './schema-types.ts';
import { commonAttributes } from './schemas/common.ts';

const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export interface DiscoveryLimits {
  maxResults: number;
  bulkMaxOperations: number;
  bulkMaxPayloadBytes: number;
}

/** RFC 7643 §5. Every capability listed here is implemented; the values come from the server's limits. */
export function serviceProviderConfig(baseUrl: string, limits: DiscoveryLimits): Record<string, unknown> {
  return {
    schemas: [SPC],
    documentationUri: 'https://github.com/joinery/joinery/blob/main/docs/scim.md',
    patch: { supported: true },
    bulk: {
      supported: true,
      maxOperations: limits.bulkMaxOperations,
      maxPayloadSize: limits.bulkMaxPayloadBytes,
    },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'A Joinery API token with the "scim" scope, sent as Authorization: Bearer <token>.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypeDocument(baseUrl: string, r: ResourceSchemas): Record<string, unknown> {
  return {
    schemas: [RESOURCE_TYPE],
    id: r.resourceType,
    name: r.resourceType,
    endpoint: r.endpoint,
    description: r.core.description,
    schema: r.core.id,
    schemaExtensions: r.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${r.resourceType}` },
  };
}

function attributeDocument(a: AttributeDefinition): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attributeDocument) } : {}),
  };
}

/**
 * RFC 7643 §7: the same definitions that drive validation, PATCH and filtering. A resource type's core
 * schema also lists the common attributes (id, externalId, meta; §3.1 allows it), so a client reading
 * only /Schemas learns that id is read-only and always returned.
 */
export function schemaDocument(baseUrl: string, s: SchemaDefinition, core = false): Record<string, unknown> {
  return {
    schemas: [SCHEMA],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: [...(core ? commonAttributes : []), ...s.attributes].map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${s.id}` },
  };
}
