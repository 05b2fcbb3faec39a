import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from 'src/api-keys/api-keys.service';
import {
  ApiKeyDto,
  ApiKeyListDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
} from 'src/api-keys/dto/api-key.dto';
import { staffActor } from 'src/audit/audit-log.service';
import { Access } from 'src/common/auth/access.decorator';
import { Staff } from 'src/common/auth/principal.decorator';
import type { StaffPrincipal } from 'src/common/auth/roles';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';

@ApiTags('api-keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @Access('admin')
  @ApiOperation({ summary: 'Create a staff API key; the secret is in this response only' })
  @ApiResponse({ status: 201, type: CreatedApiKeyDto })
  @ApiErrors('VALIDATION_FAILED')
  async create(
    @Body() body: CreateApiKeyDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<CreatedApiKeyDto> {
    const { key, plaintext } = await this.apiKeys.create(body.name, body.role, staffActor(staff));
    return { ...ApiKeyDto.from(key), key: plaintext };
  }

  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'List staff API keys (never their secrets)' })
  @ApiResponse({ status: 200, type: ApiKeyListDto })
  async list(): Promise<ApiKeyListDto> {
    return { items: (await this.apiKeys.list()).map((key) => ApiKeyDto.from(key)) };
  }

  @Delete(':id')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({ summary: 'Revoke a staff API key at once' })
  @ApiResponse({ status: 200, type: ApiKeyDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT')
  async revoke(
    @Param('id', uuidPipe('id')) id: string,
    @Staff() staff: StaffPrincipal,
  ): Promise<ApiKeyDto> {
    return ApiKeyDto.from(await this.apiKeys.revoke(id, staffActor(staff)));
  }
}
