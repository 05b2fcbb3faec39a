import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Access } from 'src/common/auth/access.decorator';
import { Clock } from 'src/common/clock/clock';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';
import { ConsentsQueries } from 'src/consents/consents.queries';
import { ConsentDetailDto } from 'src/consents/dto/consent.dto';
import { Mail } from 'src/mail/mail.entity';
import { PersonDto } from 'src/persons/dto/person.dto';
import { PersonsService } from 'src/persons/persons.service';

class DossierMailDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() kind: string;
  @ApiProperty({ enum: ['queued', 'sent', 'failed'] }) status: string;
  @ApiProperty({ nullable: true, type: String }) sentTo: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) sentAt: string | null;
}

class DossierDto {
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty({ type: PersonDto }) person: PersonDto;
  @ApiProperty({ type: [ConsentDetailDto] }) consents: ConsentDetailDto[];
  @ApiProperty({ type: [DossierMailDto] }) emails: DossierMailDto[];
  @ApiProperty({ description: 'Links to every document held about the person.', type: [String] }) documents: string[];
}

@ApiTags('persons')
@Controller('v1/persons')
export class DossierController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly persons: PersonsService,
    private readonly consents: ConsentsQueries,
    private readonly clock: Clock,
  ) {}

  @Get(':id/dossier')
  @Access('hr_legal')
  @ApiOperation({ summary: 'Everything held about a person (also answers a GDPR access request)' })
  @ApiResponse({ status: 200, type: DossierDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  async dossier(@Param('id', uuidPipe('id')) id: string): Promise<DossierDto> {
    const person = await this.persons.get(id);
    const [consents, mails, documents] = await Promise.all([
      this.consents.detailsForPerson(id),
      this.dataSource.getRepository(Mail).find({ where: { personId: id }, order: { createdAt: 'ASC' } }),
      this.dataSource.query<{ consent_id: string; kind: string; withdrawal_id: string | null }[]>(
        `SELECT d.consent_id, d.kind, d.withdrawal_id FROM evidence_documents d JOIN consents c ON c.id = d.consent_id
          WHERE c.person_id = $1 ORDER BY d.created_at`,
        [id],
      ),
    ]);
    return {
      generatedAt: this.clock.now().toISOString(),
      person: PersonDto.from(person),
      consents,
      emails: mails.map((m) => ({
        id: m.id,
        kind: m.kind,
        status: m.status,
        sentTo: m.sentTo,
        createdAt: m.createdAt.toISOString(),
        sentAt: m.sentAt?.toISOString() ?? null,
      })),
      documents: documents.map((d) =>
        d.kind === 'withdrawal'
          ? `/v1/consents/${d.consent_id}/withdrawal-receipt?withdrawalId=${d.withdrawal_id}`
          : `/v1/consents/${d.consent_id}/document`,
      ),
    };
  }
}
