import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { IsInstant } from 'src/common/http/instant';
import { PageQueryDto } from 'src/common/http/pagination';
import { Locale, LOCALES, Person } from 'src/persons/person.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreatePersonDto {
  @ApiProperty({ example: 'Élodie Lefèvre', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  fullName: string;

  @ApiProperty({ example: 'elodie.lefevre@example.com' })
  @Transform(trim)
  @IsString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiPropertyOptional({ description: "The HR system's id; unique when given.", example: 'EMP-00042', maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  externalRef?: string;

  @ApiPropertyOptional({ enum: LOCALES, default: 'fr' })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;

  @ApiPropertyOptional({ format: 'date-time', description: 'When employment ended; omit while employed.' })
  @IsOptional()
  @IsInstant()
  employmentEndedAt?: string;
}

export class UpdatePersonDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  fullName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 100 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  externalRef?: string | null;

  @ApiPropertyOptional({ enum: LOCALES })
  @IsOptional()
  @IsIn(LOCALES)
  locale?: Locale;

  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description:
      "End of employment (null: employed). Consents that do not cover use after employment are revoked at that date.",
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInstant()
  employmentEndedAt?: string | null;
}

export class ListPersonsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  externalRef?: string;
}

export class PersonDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() fullName: string;
  @ApiProperty() email: string;
  @ApiProperty({ nullable: true, type: String }) externalRef: string | null;
  @ApiProperty({ enum: LOCALES }) locale: Locale;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) employmentEndedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;

  static from(person: Person): PersonDto {
    return {
      id: person.id,
      fullName: person.fullName,
      email: person.email,
      externalRef: person.externalRef,
      locale: person.locale,
      employmentEndedAt: person.employmentEndedAt?.toISOString() ?? null,
      createdAt: person.createdAt.toISOString(),
      updatedAt: person.updatedAt.toISOString(),
    };
  }
}

export class PersonPageDto {
  @ApiProperty({ type: [PersonDto] }) items: PersonDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ImportLineErrorDto {
  @ApiProperty({ description: 'Line number in the CSV (the header is line 1).' }) line: number;
  @ApiProperty() field: string;
  @ApiProperty() problem: string;
}

export class ImportResultDto {
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
}
