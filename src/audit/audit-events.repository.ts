import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuditAction } from 'src/audit/audit-actions';

export interface AuditFilters {
  personId?: string;
  consentId?: string;
  assetId?: string;
  action?: AuditAction;
  /** occurredAt >= from */
  from?: Date;
  /** occurredAt < to */
  to?: Date;
}

export interface StoredEvent {
  seq: number;
  canonical: Buffer;
  leafHash: Buffer;
}

/** Reads of stored events as raw rows (bytes and hashes), never hydrated entities. */
@Injectable()
export class AuditEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first, strictly before `beforeSeq` when given. */
  async newestFirst(
    filters: AuditFilters,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<StoredEvent[]> {
    const { where, params } = whereClause(filters, { below: beforeSeq });
    params.push(limit);
    return this.select(`${where} ORDER BY seq DESC LIMIT $${params.length}`, params);
  }

  /** Oldest first, below `belowSeq`, a keyset page at a time. */
  async *oldestFirst(
    filters: AuditFilters,
    belowSeq: number,
    pageSize: number,
  ): AsyncGenerator<StoredEvent[]> {
    let after = -1;
    for (;;) {
      const { where, params } = whereClause(filters, { below: belowSeq, after });
      params.push(pageSize);
      const page = await this.select(`${where} ORDER BY seq ASC LIMIT $${params.length}`, params);
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      after = page[page.length - 1].seq;
    }
  }

  async count(filters: AuditFilters, belowSeq: number): Promise<number> {
    const { where, params } = whereClause(filters, { below: belowSeq });
    const rows = await this.dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM audit_events ${where}`,
      params,
    );
    return Number(rows[0].n);
  }

  private async select(tail: string, params: unknown[]): Promise<StoredEvent[]> {
    const rows = await this.dataSource.query<
      { seq: string; canonical: Buffer; leaf_hash: Buffer }[]
    >(`SELECT seq, canonical, leaf_hash FROM audit_events ${tail}`, params);
    return rows.map((row) => ({
      seq: Number(row.seq),
      canonical: row.canonical,
      leafHash: row.leaf_hash,
    }));
  }
}

function whereClause(
  filters: AuditFilters,
  bounds: { below?: number; after?: number },
): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (filters.personId) add('person_id = ?', filters.personId);
  if (filters.consentId) add('consent_id = ?', filters.consentId);
  if (filters.assetId) add('asset_id = ?', filters.assetId);
  if (filters.action) add('action = ?', filters.action);
  if (filters.from) add('occurred_at >= ?', filters.from);
  if (filters.to) add('occurred_at < ?', filters.to);
  if (bounds.below !== undefined) add('seq < ?', bounds.below);
  if (bounds.after !== undefined) add('seq > ?', bounds.after);
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}
