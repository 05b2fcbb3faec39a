import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AUDIT_ACTIONS, AuditAction } from 'src/audit/audit-actions';
import type { StoredEvent } from 'src/audit/audit-events.repository';
import { AuditActor, parseAuditEvent } from 'src/audit/domain/audit-event';

export class AuditActorDto {
  @ApiProperty({ enum: ['staff', 'person', 'system'] })
  type: AuditActor['type'];

  @ApiProperty({ description: 'API key id (staff), person id (person) or component name (system)' })
  id: string;

  @ApiPropertyOptional({ description: 'Label of the API key (staff only)' })
  keyName?: string;
}

export class AuditEventDto {
  @ApiProperty({ description: '0-based leaf index in the Merkle tree' })
  seq: number;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ enum: AUDIT_ACTIONS })
  action: AuditAction;

  @ApiProperty({ type: AuditActorDto })
  actor: AuditActorDto;

  @ApiPropertyOptional({ format: 'uuid' })
  personId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  consentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  assetId?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Ids, codes and hashes' })
  data: Record<string, unknown>;

  @ApiProperty({ description: 'SHA-256(0x00 ‖ canonical bytes), hex' })
  leafHash: string;

  static from(stored: StoredEvent): AuditEventDto {
    const event = parseAuditEvent(stored.canonical);
    const dto: AuditEventDto = {
      seq: event.seq,
      occurredAt: event.occurredAt,
      action: event.action,
      actor: event.actor,
      data: event.data,
      leafHash: stored.leafHash.toString('hex'),
    };
    if (event.personId) dto.personId = event.personId;
    if (event.consentId) dto.consentId = event.consentId;
    if (event.assetId) dto.assetId = event.assetId;
    return dto;
  }
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto], description: 'Newest first' })
  items: AuditEventDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next (older) page; null at the end',
  })
  nextCursor: string | null;
}
