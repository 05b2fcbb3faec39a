import {
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProduces,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access } from 'src/common/auth/access.decorator';
import { DomainError, ValidationFailed } from 'src/common/errors/domain-error';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';
import { ConsentReceiptDto } from 'src/evidence/dto/consent-receipt.dto';
import { EvidenceVerificationDto } from 'src/evidence/dto/evidence-verification.dto';
import { DownloadableDocument, EvidenceQueries } from 'src/evidence/evidence-queries.service';
import { EvidenceVerifier } from 'src/evidence/evidence-verifier';

/** Largest PDF the verification accepts. */
export const VERIFY_BODY_LIMIT_BYTES = 20 * 1024 * 1024;

const PDF_RESPONSE = {
  status: 200,
  description: 'The sealed PDF (attachment); Repr-Digest carries its SHA-256.',
  content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
};

class WithdrawalReceiptQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A given withdrawal; the latest one when omitted.',
  })
  @IsOptional()
  @IsUUID('4', { message: 'withdrawalId must be a UUID' })
  withdrawalId?: string;
}

@ApiTags('evidence')
@Controller('v1')
export class EvidenceController {
  constructor(
    private readonly queries: EvidenceQueries,
    private readonly verifier: EvidenceVerifier,
  ) {}

  @Get('consents/:id/document')
  @Access('hr_legal')
  @ApiOperation({
    summary: 'The sealed PDF evidence of a grant (or the sealed cover of a paper grant)',
    description:
      'Byte for byte as issued: its SHA-256 is the one recorded in the evidence.sealed audit event.',
  })
  @ApiProduces('application/pdf')
  @ApiResponse(PDF_RESPONSE)
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  async grantDocument(
    @Param('id', uuidPipe('id')) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    return sendPdf(reply, await this.queries.grantDocument(id));
  }

  @Get('consents/:id/withdrawal-receipt')
  @Access('hr_legal')
  @ApiOperation({
    summary: 'The sealed PDF receipt of a withdrawal: the latest one, or the one named',
  })
  @ApiProduces('application/pdf')
  @ApiResponse(PDF_RESPONSE)
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  async withdrawalReceipt(
    @Param('id', uuidPipe('id')) id: string,
    @Query() query: WithdrawalReceiptQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    return sendPdf(reply, await this.queries.withdrawalReceipt(id, query.withdrawalId));
  }

  @Get('consents/:id/receipt.json')
  @Access('hr_legal')
  @ApiOperation({
    summary:
      'The machine-readable consent receipt (ISO/IEC TS 27560 / Kantara Consent Receipt field names)',
    description:
      'Notice, purposes, channels, media, territory, durations, method, events with their audit references, and the sealed documents.',
  })
  @ApiResponse({ status: 200, type: ConsentReceiptDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  receipt(@Param('id', uuidPipe('id')) id: string): Promise<ConsentReceiptDto> {
    return this.queries.receipt(id);
  }

  @Post('evidence/verify')
  @HttpCode(200)
  @Access('hr_legal')
  @ApiOperation({
    summary:
      'Check a PDF someone holds: is it a document we issued, for which consent, and is its seal intact?',
    description: 'Send the PDF as the body, Content-Type application/pdf, at most 20 MB.',
  })
  @ApiConsumes('application/pdf')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 200, type: EvidenceVerificationDto })
  @ApiErrors('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE')
  verify(@Req() request: FastifyRequest): Promise<EvidenceVerificationDto> {
    if (!request.headers['content-type']?.startsWith('application/pdf')) {
      throw new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the PDF itself with Content-Type: application/pdf',
      );
    }
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw ValidationFailed.field('body', 'the PDF is required');
    if (body.subarray(0, 5).toString('latin1') !== '%PDF-')
      throw ValidationFailed.field('body', 'the body is not a PDF');
    return this.verifier.verify(body);
  }
}

function sendPdf(reply: FastifyReply, document: DownloadableDocument): StreamableFile {
  void reply.header(
    'repr-digest',
    `sha-256=:${Buffer.from(document.sha256, 'hex').toString('base64')}:`,
  );
  void reply.header('cache-control', 'private, no-store');
  return new StreamableFile(document.pdf, {
    type: 'application/pdf',
    disposition: `attachment; filename="${document.filename}"`,
    length: document.pdf.length,
  });
}
