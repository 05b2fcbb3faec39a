import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { decodeCursor, Page, toPage } from 'src/common/http/pagination';
import { ListNotificationsQueryDto, NotificationDto, NotificationViewStatus } from 'src/reminders/dto/notification.dto';

interface Row {
  id: string;
  consent_id: string;
  person_id: string;
  kind: string;
  offset_days: number;
  due_at: Date;
  view_status: NotificationViewStatus;
  outcome: string | null;
  mail_id: string | null;
  attempts: number | null;
  last_error: string | null;
  processed_at: Date | null;
}

/** A notification's status as people care about it: its own state, or its email's when it sent one. */
const VIEW_STATUS = `CASE
  WHEN n.status <> 'done' THEN n.status
  WHEN m.id IS NULL THEN 'done'
  WHEN m.status = 'queued' THEN 'queued'
  ELSE m.status END`;

@Injectable()
export class NotificationsQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: ListNotificationsQueryDto): Promise<Page<NotificationDto>> {
    const limit = query.limit ?? 50;
    const after = decodeCursor(query.cursor);
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.status) add(`(${VIEW_STATUS}) = ?`, query.status);
    if (query.consentId) add('n.consent_id = ?', query.consentId);
    if (after) {
      params.push(after.at, after.id);
      where.push(`(n.due_at, n.id) > ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const rows = await this.dataSource.query<Row[]>(
      `SELECT n.id, n.consent_id, n.person_id, n.kind, n.offset_days, n.due_at, n.outcome, n.mail_id, n.processed_at,
              m.attempts, m.last_error, ${VIEW_STATUS} AS view_status
         FROM notifications n LEFT JOIN mails m ON m.id = n.mail_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY n.due_at, n.id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, limit, (r) => ({ at: r.due_at, id: r.id }), toDto);
  }

  async one(id: string): Promise<NotificationDto | undefined> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT n.id, n.consent_id, n.person_id, n.kind, n.offset_days, n.due_at, n.outcome, n.mail_id, n.processed_at,
              m.attempts, m.last_error, ${VIEW_STATUS} AS view_status
         FROM notifications n LEFT JOIN mails m ON m.id = n.mail_id WHERE n.id = $1`,
      [id],
    );
    return rows[0] ? toDto(rows[0]) : undefined;
  }
}

function toDto(row: Row): NotificationDto {
  return {
    id: row.id,
    consentId: row.consent_id,
    personId: row.person_id,
    kind: row.kind,
    offsetDays: row.offset_days,
    dueAt: row.due_at.toISOString(),
    status: row.view_status,
    outcome: row.outcome,
    mailId: row.mail_id,
    attempts: row.attempts ?? 0,
    lastError: row.last_error,
    processedAt: row.processed_at?.toISOString() ?? null,
  };
}
