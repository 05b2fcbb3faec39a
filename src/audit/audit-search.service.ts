import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventsRepository, AuditFilters } from 'src/audit/audit-events.repository';
import { filtersAsData, filterSubjects } from 'src/audit/audit-filters';
import { AuditLog } from 'src/audit/audit-log.service';
import type { AuditActor } from 'src/audit/domain/audit-event';
import { AuditEventDto, AuditEventPageDto } from 'src/audit/dto/audit-event.dto';

/** Search of the log, newest first; every search is itself recorded (audit.read). */
@Injectable()
export class AuditSearch {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: AuditEventsRepository,
    private readonly auditLog: AuditLog,
  ) {}

  async search(
    filters: AuditFilters,
    cursor: number | undefined,
    limit: number,
    actor: AuditActor,
  ): Promise<AuditEventPageDto> {
    const page = await this.events.newestFirst(filters, cursor, limit + 1);
    const items = page.slice(0, limit).map((stored) => AuditEventDto.from(stored));
    const nextCursor = page.length > limit ? String(items[items.length - 1].seq) : null;
    await this.dataSource.transaction((em) =>
      this.auditLog.append(em, {
        action: 'audit.read',
        actor,
        ...filterSubjects(filters),
        data: { filters: filtersAsData(filters), returned: items.length },
      }),
    );
    return { items, nextCursor };
  }
}
