import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsInstant } from 'src/common/http/instant';
import type { Asset } from 'src/assets/asset.entity';
import { PageQueryDto } from 'src/common/http/pagination';
import { CHANNELS, Channel, MEDIA_TYPES, MediaType } from 'src/consents/domain/consent-scope';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const lowerCase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;
const lowerCaseEach = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? value.map((item: unknown) => (typeof item === 'string' ? item.toLowerCase() : item))
    : value;

/** Everyone identifiable in one asset; the audit event of a change lists them all, so the list is bounded. */
export const MAX_PERSONS_PER_ASSET = 200;
export const MAX_ASSETS_PER_BULK = 1_000;

export class CreateAssetDto {
  @ApiProperty({ example: 'Sales team at the spring trade fair', minLength: 1, maxLength: 300 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title: string;

  @ApiProperty({ enum: MEDIA_TYPES })
  @IsIn(MEDIA_TYPES)
  mediaType: MediaType;

  @ApiProperty({
    description: 'The DAM id or URL; unique.',
    example: 'dam://photos/2026/fair-042',
    minLength: 1,
    maxLength: 2000,
  })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  externalRef: string;

  @ApiPropertyOptional({
    description: 'SHA-256 of the file, 64 hex digits.',
    pattern: '^[0-9a-fA-F]{64}$',
  })
  @IsOptional()
  @Transform(lowerCase)
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 hexadecimal digits' })
  sha256?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  capturedAt?: string;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    maxItems: MAX_PERSONS_PER_ASSET,
    description: 'Everyone identifiable in the asset. Empty: nothing blocks it.',
  })
  @Transform(lowerCaseEach)
  @IsArray()
  @ArrayMaxSize(MAX_PERSONS_PER_ASSET)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each value in personIds must be a UUID' })
  personIds: string[];
}

export class BulkCreateAssetsDto {
  @ApiProperty({ type: [CreateAssetDto], minItems: 1, maxItems: MAX_ASSETS_PER_BULK })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ASSETS_PER_BULK)
  @ValidateNested({ each: true })
  @Type(() => CreateAssetDto)
  assets: CreateAssetDto[];
}

export class ReplacePersonsDto {
  @ApiProperty({ type: [String], format: 'uuid', maxItems: MAX_PERSONS_PER_ASSET })
  @Transform(lowerCaseEach)
  @IsArray()
  @ArrayMaxSize(MAX_PERSONS_PER_ASSET)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each value in personIds must be a UUID' })
  personIds: string[];
}

export const ASSET_STATUSES = ['cleared', 'blocked'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

export class ListAssetsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Assets this person appears in.' })
  @IsOptional()
  @IsUUID('all', { message: 'personId must be a UUID' })
  personId?: string;

  @ApiPropertyOptional({
    enum: ASSET_STATUSES,
    description:
      'cleared: usable now on at least one channel (or on `channel` when given); blocked: on none (or not on `channel`).',
  })
  @IsOptional()
  @IsIn(ASSET_STATUSES)
  status?: AssetStatus;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'Makes `status` about this channel.' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;
}

export class AssetDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: MEDIA_TYPES }) mediaType: MediaType;
  @ApiProperty() externalRef: string;
  @ApiProperty({ nullable: true, type: String }) sha256: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) capturedAt: string | null;
  @ApiProperty({ type: [String], format: 'uuid' }) personIds: string[];
  @ApiProperty({
    enum: CHANNELS,
    isArray: true,
    description: 'Channels the asset is cleared on now.',
  })
  clearedChannels: Channel[];
  @ApiProperty({
    enum: ASSET_STATUSES,
    description: 'cleared when usable now on at least one channel.',
  })
  status: AssetStatus;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;

  static from(asset: Asset, personIds: string[], clearedChannels: Channel[]): AssetDto {
    return {
      id: asset.id,
      title: asset.title,
      mediaType: asset.mediaType,
      externalRef: asset.externalRef,
      sha256: asset.sha256,
      capturedAt: asset.capturedAt?.toISOString() ?? null,
      personIds,
      clearedChannels,
      status: clearedChannels.length > 0 ? 'cleared' : 'blocked',
      createdAt: asset.createdAt.toISOString(),
      updatedAt: asset.updatedAt.toISOString(),
    };
  }
}

export class AssetPageDto {
  @ApiProperty({ type: [AssetDto] }) items: AssetDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class RegisteredAssetDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() externalRef: string;
}

export class BulkRegisteredDto {
  @ApiProperty() created: number;
  @ApiProperty({ type: [RegisteredAssetDto], description: 'In the order sent.' })
  items: RegisteredAssetDto[];
}
