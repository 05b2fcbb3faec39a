import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import { staffActor } from 'src/audit/audit-log.service';
import { Access } from 'src/common/auth/access.decorator';
import { Staff } from 'src/common/auth/principal.decorator';
import type { StaffPrincipal } from 'src/common/auth/roles';
import { DomainError, ValidationFailed } from 'src/common/errors/domain-error';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';
import { ConsentsQueries } from 'src/consents/consents.queries';
import { ConsentsService } from 'src/consents/consents.service';
import { HrWithdrawalDto, ListConsentsQueryDto, PaperGrantFieldsDto, RevokeConsentDto } from 'src/consents/dto/consent-actions.dto';
import { ConsentDetailDto, ConsentPageDto } from 'src/consents/dto/consent.dto';
import { CreateConsentDto } from 'src/consents/dto/create-consent.dto';
import { sha256Hex } from 'src/consents/notice-renderer';

export const PAPER_SCAN_MAX_BYTES = 10 * 1024 * 1024;

@ApiTags('consents')
@Controller('v1/consents')
export class ConsentsController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly queries: ConsentsQueries,
  ) {}

  @Post()
  @Access('hr_legal')
  @ApiOperation({
    summary: 'Ask a person for a specific consent; they are emailed a single-use sign link',
    description:
      'Freezes the notice text (template, version, language, SHA-256). Within REASK_COOLDOWN_DAYS of a refusal, ' +
      'answers 409 CONSENT_RECENTLY_DECLINED unless force is true with a justification.',
  })
  @ApiResponse({ status: 201, type: ConsentDetailDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'CONSENT_RECENTLY_DECLINED')
  async create(@Body() body: CreateConsentDto, @Staff() staff: StaffPrincipal): Promise<ConsentDetailDto> {
    const consent = await this.consents.request(body, staffActor(staff), staff.keyId);
    return this.queries.detail(consent.id);
  }

  @Get()
  @Access('hr_legal')
  @ApiOperation({ summary: 'The consent register, newest request first' })
  @ApiResponse({ status: 200, type: ConsentPageDto })
  @ApiErrors('VALIDATION_FAILED')
  list(@Query() query: ListConsentsQueryDto): Promise<ConsentPageDto> {
    return this.queries.list(query);
  }

  @Get(':id')
  @Access('hr_legal')
  @ApiOperation({ summary: 'One consent with its frozen text, decisions per channel and history' })
  @ApiResponse({ status: 200, type: ConsentDetailDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  get(@Param('id', uuidPipe('id')) id: string): Promise<ConsentDetailDto> {
    return this.queries.detail(id);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Access('hr_legal')
  @ApiOperation({ summary: 'Record a withdrawal the person made by letter, email or in person (some channels or all)' })
  @ApiResponse({ status: 200, type: ConsentDetailDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'CONSENT_NOT_GRANTED')
  async withdraw(
    @Param('id', uuidPipe('id')) id: string,
    @Body() body: HrWithdrawalDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<ConsentDetailDto> {
    await this.consents.withdrawForPerson(id, {
      channels: body.channels,
      via: body.receivedVia,
      reason: body.reason,
      actor: staffActor(staff),
      recordedByKeyId: staff.keyId,
    });
    return this.queries.detail(id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Access('hr_legal')
  @ApiOperation({ summary: 'End a granted consent on HR’s side (e.g. the person left); new uses stop at once' })
  @ApiResponse({ status: 200, type: ConsentDetailDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'CONSENT_NOT_GRANTED')
  async revoke(
    @Param('id', uuidPipe('id')) id: string,
    @Body() body: RevokeConsentDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<ConsentDetailDto> {
    await this.consents.revoke(id, body.reason, staffActor(staff));
    return this.queries.detail(id);
  }

  @Post(':id/paper')
  @Access('hr_legal')
  @ApiOperation({
    summary: 'Grant a pending consent from a scanned signed paper form (PDF, at most 10 MB)',
    description:
      'multipart/form-data with a `file` part (application/pdf) and `acceptedChannels` (repeated, or comma-separated; `channels` is accepted too).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'acceptedChannels'],
      properties: {
        file: { type: 'string', format: 'binary' },
        acceptedChannels: { type: 'array', items: { type: 'string' } },
      },
    },
  })
  @ApiResponse({ status: 201, type: ConsentDetailDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'CONSENT_NOT_PENDING', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE')
  async paper(
    @Param('id', uuidPipe('id')) id: string,
    @Req() request: FastifyRequest,
    @Staff() staff: StaffPrincipal,
  ): Promise<ConsentDetailDto> {
    const { pdf, fields } = await readPaperUpload(request);
    await this.consents.grantOnPaper(id, { pdf, sha256: sha256Hex(pdf) }, fields.acceptedChannels, staffActor(staff), staff.keyId);
    return this.queries.detail(id);
  }
}

async function readPaperUpload(request: FastifyRequest): Promise<{ pdf: Buffer; fields: PaperGrantFieldsDto }> {
  if (!request.isMultipart()) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with a file part and acceptedChannels');
  }
  let pdf: Buffer | undefined;
  const channels: string[] = [];
  for await (const part of request.parts({ limits: { fileSize: PAPER_SCAN_MAX_BYTES, files: 1, fields: 20 } })) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') throw ValidationFailed.field(part.fieldname, 'the only file part is "file"');
      pdf = await part.toBuffer();
    } else if (['acceptedChannels', 'acceptedChannels[]', 'channels', 'channels[]'].includes(part.fieldname)) {
      channels.push(...String(part.value).split(',').map((c) => c.trim()).filter(Boolean));
    } else {
      throw ValidationFailed.field(part.fieldname, `${part.fieldname} should not exist`);
    }
  }
  if (!pdf || pdf.length === 0) throw ValidationFailed.field('file', 'file (the scanned PDF) is required');
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw ValidationFailed.field('file', 'file must be a PDF');
  const fields = plainToInstance(PaperGrantFieldsDto, { acceptedChannels: channels });
  const errors = validateSync(fields);
  if (errors.length > 0) {
    throw new ValidationFailed(errors.map((e) => ({ field: e.property, problems: Object.values(e.constraints ?? {}) })));
  }
  return { pdf, fields };
}
