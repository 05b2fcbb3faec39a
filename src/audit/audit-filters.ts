import type { AuditFilters } from 'src/audit/audit-events.repository';
import type { AuditFiltersDto } from 'src/audit/dto/audit-query.dto';
import { ValidationFailed } from 'src/common/errors/domain-error';

/** Query filters as the repository takes them; `to` must come after `from`. */
export function toAuditFilters(query: AuditFiltersDto): AuditFilters {
  const filters: AuditFilters = {};
  if (query.personId) filters.personId = query.personId.toLowerCase();
  if (query.consentId) filters.consentId = query.consentId.toLowerCase();
  if (query.assetId) filters.assetId = query.assetId.toLowerCase();
  if (query.action) filters.action = query.action;
  if (query.from) filters.from = new Date(query.from);
  if (query.to) filters.to = new Date(query.to);
  if (filters.from && filters.to && filters.to <= filters.from) {
    throw ValidationFailed.field('to', 'to must be after from');
  }
  return filters;
}

/** The filters as recorded in audit.read / audit.exported events (ids and codes only). */
export function filtersAsData(filters: AuditFilters): Record<string, string> {
  const data: Record<string, string> = {};
  if (filters.personId) data.personId = filters.personId;
  if (filters.consentId) data.consentId = filters.consentId;
  if (filters.assetId) data.assetId = filters.assetId;
  if (filters.action) data.action = filters.action;
  if (filters.from) data.from = filters.from.toISOString();
  if (filters.to) data.to = filters.to.toISOString();
  return data;
}

/** Subject ids filtered on, so reading a person's history shows up in that person's history. */
export function filterSubjects(filters: AuditFilters): {
  personId?: string;
  consentId?: string;
  assetId?: string;
} {
  return { personId: filters.personId, consentId: filters.consentId, assetId: filters.assetId };
}
