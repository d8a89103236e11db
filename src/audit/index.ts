export { type AuditEntry, diffAttributes, recordAudit } from './record.ts';
export {
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  auditQuerySchema,
  searchAudit,
} from './search.ts';
