import { Controller, Get, HttpCode, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditCheckpoints } from 'src/audit/audit-checkpoints.service';
import { AuditExporter } from 'src/audit/audit-exporter.service';
import { toAuditFilters } from 'src/audit/audit-filters';
import { AuditSearch } from 'src/audit/audit-search.service';
import { AuditSigner } from 'src/audit/audit-signer';
import { AuditTreeReader } from 'src/audit/audit-tree.reader';
import { AuditVerifier } from 'src/audit/audit-verifier.service';
import { staffActor } from 'src/audit/domain/audit-event';
import { CheckpointDto, CheckpointListDto } from 'src/audit/dto/audit-checkpoint.dto';
import { AuditEventPageDto } from 'src/audit/dto/audit-event.dto';
import { ConsistencyProofDto, InclusionProofDto } from 'src/audit/dto/audit-proof.dto';
import {
  CheckpointListQueryDto,
  ConsistencyProofQueryDto,
  ExportAuditQueryDto,
  InclusionProofQueryDto,
  SearchAuditQueryDto,
} from 'src/audit/dto/audit-query.dto';
import { VerifyResultDto } from 'src/audit/dto/audit-verify.dto';
import { Access } from 'src/common/auth/access.decorator';
import { Staff } from 'src/common/auth/principal.decorator';
import type { StaffPrincipal } from 'src/common/auth/roles';
import { ApiErrors } from 'src/common/http/api-errors.decorator';

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly search: AuditSearch,
    private readonly exporter: AuditExporter,
    private readonly verifier: AuditVerifier,
    private readonly checkpoints: AuditCheckpoints,
    private readonly tree: AuditTreeReader,
    private readonly signer: AuditSigner,
  ) {}

  @Get()
  @Access('hr_legal', 'admin')
  @ApiOperation({ summary: 'Search audit events, newest first (the search is itself audited)' })
  @ApiResponse({ status: 200, type: AuditEventPageDto })
  @ApiErrors('VALIDATION_FAILED')
  find(
    @Query() query: SearchAuditQueryDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<AuditEventPageDto> {
    const cursor = query.cursor === undefined ? undefined : Number(query.cursor);
    return this.search.search(toAuditFilters(query), cursor, query.limit ?? 50, staffActor(staff));
  }

  @Get('export')
  @Access('hr_legal', 'admin')
  @ApiOperation({
    summary:
      'Export audit events, oldest first, as CSV, JSONL or a PDF report (the export is itself audited)',
    description:
      'JSONL lines are {seq, leafHash, canonical}: canonical is the exact JSON text that was hashed, so the ' +
      'export can be verified without this service. The PDF report states the verification status and the ' +
      'signed checkpoint it was checked against.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson', 'application/pdf')
  @ApiResponse({ status: 200, description: 'The export file (attachment)' })
  @ApiErrors('VALIDATION_FAILED', 'AUDIT_EXPORT_TOO_LARGE')
  async export(
    @Query() query: ExportAuditQueryDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<StreamableFile> {
    const file = await this.exporter.export(query.format, toAuditFilters(query), staffActor(staff));
    return new StreamableFile(file.body, {
      type: file.contentType,
      disposition: `attachment; filename="${file.filename}"`,
    });
  }

  @Get('verify')
  @Access('hr_legal', 'admin')
  @ApiOperation({
    summary:
      'Verify the whole log: every leaf hash from the stored bytes, the tree, every checkpoint signature and root',
  })
  @ApiResponse({ status: 200, type: VerifyResultDto })
  verify(@Staff() staff: StaffPrincipal): Promise<VerifyResultDto> {
    return this.verifier.verifyAndRecord(staffActor(staff));
  }

  @Get('checkpoints')
  @Access('hr_legal', 'admin')
  @ApiOperation({
    summary: 'Signed checkpoints and the public key that verifies them, oldest first',
  })
  @ApiResponse({ status: 200, type: CheckpointListDto })
  @ApiErrors('VALIDATION_FAILED')
  async listCheckpoints(@Query() query: CheckpointListQueryDto): Promise<CheckpointListDto> {
    const checkpoints = await this.checkpoints.list(query.after, query.limit ?? 1000);
    return {
      origin: this.signer.origin,
      keyName: this.signer.keyName,
      publicKey: this.signer.publicKey.toString('base64'),
      verifierKey: this.signer.verifierKey,
      checkpoints: checkpoints.map((checkpoint) => CheckpointDto.from(checkpoint)),
    };
  }

  @Post('checkpoints')
  @HttpCode(201)
  @Access('hr_legal', 'admin')
  @ApiOperation({ summary: 'Sign a checkpoint of the log now' })
  @ApiResponse({ status: 201, type: CheckpointDto })
  async createCheckpoint(@Staff() staff: StaffPrincipal): Promise<CheckpointDto> {
    return CheckpointDto.from(await this.checkpoints.create(staffActor(staff)));
  }

  @Get('proof/inclusion')
  @Access('hr_legal', 'admin')
  @ApiOperation({ summary: 'RFC 9162 inclusion proof of event seq in the tree of treeSize events' })
  @ApiResponse({ status: 200, type: InclusionProofDto })
  @ApiErrors('VALIDATION_FAILED')
  async inclusionProof(@Query() query: InclusionProofQueryDto): Promise<InclusionProofDto> {
    return InclusionProofDto.from(await this.tree.inclusionProof(query.seq, query.treeSize));
  }

  @Get('proof/consistency')
  @Access('hr_legal', 'admin')
  @ApiOperation({
    summary:
      'RFC 9162 consistency proof that the tree of `from` events is a prefix of the tree of `to`',
  })
  @ApiResponse({ status: 200, type: ConsistencyProofDto })
  @ApiErrors('VALIDATION_FAILED')
  async consistencyProof(@Query() query: ConsistencyProofQueryDto): Promise<ConsistencyProofDto> {
    return ConsistencyProofDto.from(await this.tree.consistencyProof(query.from, query.to));
  }
}
