import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { IsInstant } from 'src/common/http/instant';
import { CHANNELS, Channel, MEDIA_TYPES, MediaType, PURPOSE_MAX, PURPOSE_MIN, WORLDWIDE } from 'src/consents/domain/consent-scope';
import { Locale, LOCALES } from 'src/persons/person.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const asList = ({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value);

export class CreateConsentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4', { message: 'personId must be a UUID' })
  personId: string;

  @ApiProperty({ minLength: PURPOSE_MIN, maxLength: PURPOSE_MAX, example: 'Portraits of the team for the careers page and LinkedIn posts about our projects' })
  @Transform(trim)
  @IsString()
  @MinLength(PURPOSE_MIN)
  @MaxLength(PURPOSE_MAX)
  purpose: string;

  @ApiProperty({ enum: CHANNELS, isArray: true, example: ['website', 'linkedin'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true, message: `each value in channels must be one of: ${CHANNELS.join(', ')}` })
  channels: Channel[];

  @ApiProperty({ enum: MEDIA_TYPES, isArray: true, example: ['photo'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(MEDIA_TYPES, { each: true, message: `each value in mediaTypes must be one of: ${MEDIA_TYPES.join(', ')}` })
  mediaTypes: MediaType[];

  @ApiPropertyOptional({
    description: `"${WORLDWIDE}" (default) or ISO 3166-1 alpha-2 country codes`,
    oneOf: [{ type: 'string', example: WORLDWIDE }, { type: 'array', items: { type: 'string', example: 'FR' } }],
  })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(250)
  @ArrayUnique()
  @Matches(/^(worldwide|[A-Z]{2})$/, { each: true, message: 'territory must be "worldwide" or ISO 3166-1 alpha-2 country codes (e.g. FR)' })
  territory?: string[];

  @ApiPropertyOptional({ type: [String], example: ['paid advertising', 'political campaigns'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(200, { each: true })
  excludedUses?: string[];

  @ApiProperty({ format: 'date-time', example: '2027-01-01T00:00:00Z' })
  @IsInstant({ message: 'validFrom must be an ISO 8601 date-time' })
  validFrom: string;

  @ApiProperty({ format: 'date-time', description: 'After validFrom, at most CONSENT_MAX_MONTHS (60) later.' })
  @IsInstant({ message: 'validUntil must be an ISO 8601 date-time' })
  validUntil: string;

  @ApiPropertyOptional({ default: 'image-rights' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9-]{1,50}$/, { message: 'templateKey must be a template name such as image-rights' })
  templateKey?: string;

  @ApiPropertyOptional({ enum: LOCALES, description: "Defaults to the person's locale." })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;

  @ApiPropertyOptional({ default: false, description: 'Whether use may continue after the person leaves the company.' })
  @IsOptional()
  @IsBoolean()
  coversAfterEmployment?: boolean;

  @ApiPropertyOptional({ description: 'Ask again within the cool-down after a refusal (needs a justification).' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  @ApiPropertyOptional({ minLength: 20, maxLength: 2000, description: 'Why asking again is not pressure; kept and audited.' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(20)
  @MaxLength(2000)
  justification?: string;
}
