import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { IsInstant } from 'src/common/http/instant';
import type { Publication } from 'src/assets/publication.entity';
import { PageQueryDto } from 'src/common/http/pagination';
import { CHANNELS, Channel } from 'src/consents/domain/consent-scope';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const booleanQuery = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

export class CreatePublicationDto {
  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel: Channel;

  @ApiProperty({
    description: 'A URL, or a description of the print run or event.',
    example: 'https://www.linkedin.com/feed/update/…',
    maxLength: 2000,
  })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  location: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When it goes (or went) live; now when omitted. A future date must be cleared then too.',
  })
  @IsOptional()
  @IsInstant()
  publishedAt?: string;
}

export class ListPublicationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'assetId must be a UUID' })
  assetId?: string;

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ type: Boolean, description: 'true: not removed; false: removed.' })
  @IsOptional()
  @Transform(booleanQuery)
  @IsBoolean({ message: 'live must be true or false' })
  live?: boolean;
}

export class RemovePublicationDto {
  @ApiProperty({
    format: 'date-time',
    description: 'When it was taken down; not in the future, not before it was published.',
  })
  @IsInstant()
  removedAt: string;

  @ApiProperty({ minLength: 1, maxLength: 2000 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note: string;
}

export class PublicationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) assetId: string;
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiProperty() location: string;
  @ApiProperty({ format: 'date-time' }) publishedAt: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty() live: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) removedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) removalNote: string | null;

  static from(publication: Publication): PublicationDto {
    return {
      id: publication.id,
      assetId: publication.assetId,
      channel: publication.channel,
      location: publication.location,
      publishedAt: publication.publishedAt.toISOString(),
      recordedAt: publication.recordedAt.toISOString(),
      live: publication.removedAt === null,
      removedAt: publication.removedAt?.toISOString() ?? null,
      removalNote: publication.removalNote,
    };
  }
}

export class PublicationPageDto {
  @ApiProperty({ type: [PublicationDto] }) items: PublicationDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
