import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { Role, ROLES } from 'src/common/auth/roles';
import { ApiKey } from 'src/api-keys/api-key.entity';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'Legal team', minLength: 1, maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  revokedAt: string | null;

  static from(key: ApiKey): ApiKeyDto {
    return {
      id: key.id,
      name: key.name,
      role: key.role,
      createdAt: key.createdAt.toISOString(),
      revokedAt: key.revokedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description: 'The secret, shown this once only. Send it as `Authorization: Bearer <key>`.',
  })
  key: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] })
  items: ApiKeyDto[];
}
