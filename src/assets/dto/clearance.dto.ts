import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { IsInstant } from 'src/common/http/instant';
import {
  CLEARANCE_REASON_CODES,
  Clearance,
  ClearanceReason,
  ClearanceReasonCode,
} from 'src/assets/domain/clearance';
import { IsUuidList } from 'src/assets/dto/uuid-list';
import { CHANNELS, Channel } from 'src/consents/domain/consent-scope';

export const MAX_ASSETS_PER_CLEARANCE = 10_000;

export class ClearanceQueryDto {
  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel: Channel;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'The instant asked about; now when omitted. A past instant answers what was allowed then.',
  })
  @IsOptional()
  @IsInstant()
  at?: string;
}

export class BulkClearanceDto extends ClearanceQueryDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_ASSETS_PER_CLEARANCE })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ASSETS_PER_CLEARANCE)
  @IsUuidList('assetIds')
  assetIds: string[];
}

export class ClearanceReasonDto {
  @ApiProperty({ format: 'uuid' }) personId: string;
  @ApiProperty({ enum: CLEARANCE_REASON_CODES }) code: ClearanceReasonCode;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The consent that came closest to covering.',
  })
  consentId?: string;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Since when this reason holds, when it has a date.',
  })
  since?: string;

  static from(reason: ClearanceReason): ClearanceReasonDto {
    return {
      personId: reason.personId,
      code: reason.code,
      ...(reason.consentId ? { consentId: reason.consentId } : {}),
      ...(reason.since ? { since: reason.since.toISOString() } : {}),
    };
  }
}

export class ClearanceDto {
  @ApiProperty({ format: 'uuid' }) assetId: string;
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() allowed: boolean;
  @ApiProperty({
    type: [ClearanceReasonDto],
    description: 'One per person not covered (person ids and codes only); empty when allowed.',
  })
  reasons: ClearanceReasonDto[];

  static from(assetId: string, channel: Channel, at: Date, clearance: Clearance): ClearanceDto {
    return {
      assetId,
      channel,
      at: at.toISOString(),
      allowed: clearance.allowed,
      reasons: clearance.reasons.map((r) => ClearanceReasonDto.from(r)),
    };
  }
}

export class BulkClearanceItemDto {
  @ApiProperty({ format: 'uuid' }) assetId: string;
  @ApiProperty() allowed: boolean;
  @ApiProperty({ type: [ClearanceReasonDto] }) reasons: ClearanceReasonDto[];
}

export class BulkClearanceResultDto {
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({
    type: [BulkClearanceItemDto],
    description: 'One per known asset, in the order asked.',
  })
  items: BulkClearanceItemDto[];
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'Ids asked about that are not registered assets.',
  })
  unknownAssetIds: string[];
}
