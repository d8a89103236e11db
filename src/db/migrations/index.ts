import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_scim.ts';
import * as m0003 from './0003_scim_email_lookup.ts';
import * as m0004 from './0004_inbound.ts';
import * as m0005 from './0005_outbound.ts';
import * as m0006 from './0006_workflows.ts';

/** Ordered, forward-only. Names sort in application order. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_scim': m0002,
  '0003_scim_email_lookup': m0003,
  '0004_inbound': m0004,
  '0005_outbound': m0005,
  '0006_workflows': m0006,
};
