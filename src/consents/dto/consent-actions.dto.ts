import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { IsInstant } from 'src/common/http/instant';
import { CHANNELS, Channel } from 'src/consents/domain/consent-scope';
import { CONSENT_STATUSES, ConsentStatus } from 'src/consents/domain/consent-state';
import { PageQueryDto } from 'src/common/http/pagination';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const RECEIVED_VIA = ['letter', 'email', 'in_person'] as const;

export class HrWithdrawalDto {
  @ApiPropertyOptional({ enum: CHANNELS, isArray: true, description: 'Omit to withdraw the whole consent.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true, message: `each value in channels must be one of: ${CHANNELS.join(', ')}` })
  channels?: Channel[];

  @ApiProperty({ minLength: 3, maxLength: 2000, example: 'Letter received on 3 March, scanned in the HR file' })
  @Transform(trim)
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;

  @ApiProperty({ enum: RECEIVED_VIA })
  @IsIn(RECEIVED_VIA)
  receivedVia: (typeof RECEIVED_VIA)[number];
}

export class RevokeConsentDto {
  @ApiProperty({ minLength: 3, maxLength: 2000 })
  @Transform(trim)
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

export class ListConsentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('4', { message: 'personId must be a UUID' })
  personId?: string;

  @ApiPropertyOptional({ enum: CONSENT_STATUSES })
  @IsOptional()
  @IsIn(CONSENT_STATUSES)
  status?: ConsentStatus;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'Consents that asked for this channel.' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ format: 'date-time', description: 'Granted consents whose validUntil is before this instant.' })
  @IsOptional()
  @IsInstant()
  expiringBefore?: string;
}

/** Fields of the paper form upload (multipart/form-data, with a `file` part holding the PDF). */
export class PaperGrantFieldsDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true, message: `each value in acceptedChannels must be one of: ${CHANNELS.join(', ')}` })
  acceptedChannels: Channel[];

  @IsOptional()
  @IsInstant()
  signedAt?: string;
}
