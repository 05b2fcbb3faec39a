import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { IsInstant } from 'src/common/http/instant';
import { AUDIT_ACTIONS, AuditAction } from 'src/audit/audit-actions';

/** Query strings carry text: only plain decimal integers become numbers, anything else fails @IsInt. */
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;

export const EXPORT_FORMATS = ['csv', 'jsonl', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class AuditFiltersDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  personId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  consentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  assetId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Events that occurred at or after this instant',
  })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Events that occurred before this instant',
  })
  @IsOptional()
  @IsInstant()
  to?: string;
}

export class SearchAuditQueryDto extends AuditFiltersDto {
  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class ExportAuditQueryDto extends AuditFiltersDto {
  @ApiProperty({ enum: EXPORT_FORMATS })
  @IsIn(EXPORT_FORMATS)
  format: ExportFormat;
}

export class InclusionProofQueryDto {
  @ApiProperty({ minimum: 0, description: 'Leaf index of the event' })
  @Transform(toInt)
  @IsInt()
  @Min(0)
  seq: number;

  @ApiPropertyOptional({
    minimum: 1,
    description: 'Tree size to prove against; defaults to the current size',
  })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  treeSize?: number;
}

export class ConsistencyProofQueryDto {
  @ApiProperty({ minimum: 1, description: 'The older tree size' })
  @Transform(toInt)
  @IsInt()
  @Min(1)
  from: number;

  @ApiPropertyOptional({
    minimum: 1,
    description: 'The newer tree size; defaults to the current size',
  })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  to?: number;
}

export class CheckpointListQueryDto {
  @ApiPropertyOptional({
    minimum: 0,
    description: 'Only checkpoints of a larger tree size (for incremental copies)',
  })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1000 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
