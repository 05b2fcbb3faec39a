import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from 'src/common/http/pagination';

export const NOTIFICATION_VIEW_STATUSES = ['pending', 'queued', 'sent', 'failed', 'done', 'skipped', 'cancelled'] as const;
export type NotificationViewStatus = (typeof NOTIFICATION_VIEW_STATUSES)[number];

export class ListNotificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: NOTIFICATION_VIEW_STATUSES,
    description:
      'pending: not yet due or not yet run; queued/sent/failed: the email it sent; done: ended the consent without an email; skipped: nothing to do any more; cancelled.',
  })
  @IsOptional()
  @IsIn(NOTIFICATION_VIEW_STATUSES)
  status?: NotificationViewStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('4', { message: 'consentId must be a UUID' })
  consentId?: string;
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) consentId: string;
  @ApiProperty({ format: 'uuid' }) personId: string;
  @ApiProperty({ enum: ['reminder', 'expiry'] }) kind: string;
  @ApiProperty({ description: 'Days before validUntil (0 for the expiry).' }) offsetDays: number;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty({ enum: NOTIFICATION_VIEW_STATUSES }) status: NotificationViewStatus;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Why it was skipped or cancelled, or what it did.' }) outcome: string | null;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) mailId: string | null;
  @ApiProperty({ description: 'Email delivery attempts.' }) attempts: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Last email delivery error.' }) lastError: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) processedAt: string | null;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] }) items: NotificationDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class QueueCountsDto {
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Jobs per state: waiting, active, delayed, completed, failed, paused, prioritized, waiting-children.' })
  counts: Record<string, number>;
}

export class QueuesDto {
  @ApiProperty({ enum: ['redis', 'postgres'] }) backend: string;
  @ApiProperty() up: boolean;
  @ApiProperty({ type: [QueueCountsDto] }) queues: QueueCountsDto[];
  @ApiProperty({ description: 'Rows of queued_jobs not yet handed to the queue (waiting in PostgreSQL).' }) waitingInDatabase: number;
}
