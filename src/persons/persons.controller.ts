import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { staffActor } from 'src/audit/audit-log.service';
import { Access } from 'src/common/auth/access.decorator';
import { Staff } from 'src/common/auth/principal.decorator';
import type { StaffPrincipal } from 'src/common/auth/roles';
import { DomainError } from 'src/common/errors/domain-error';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';
import {
  CreatePersonDto,
  ImportResultDto,
  ListPersonsQueryDto,
  PersonDto,
  PersonPageDto,
  UpdatePersonDto,
} from 'src/persons/dto/person.dto';
import { PersonsService } from 'src/persons/persons.service';

@ApiTags('persons')
@Controller('v1/persons')
export class PersonsController {
  constructor(private readonly persons: PersonsService) {}

  @Post()
  @Access('hr_legal', 'admin')
  @ApiOperation({ summary: 'Register a person whose image may be used' })
  @ApiResponse({ status: 201, type: PersonDto })
  @ApiErrors('VALIDATION_FAILED', 'PERSON_ALREADY_EXISTS')
  async create(@Body() body: CreatePersonDto, @Staff() staff: StaffPrincipal): Promise<PersonDto> {
    return PersonDto.from(await this.persons.create(body, staffActor(staff)));
  }

  @Get()
  @Access('hr_legal', 'admin')
  @ApiOperation({ summary: 'List persons, oldest first; filter by exact email or externalRef' })
  @ApiResponse({ status: 200, type: PersonPageDto })
  @ApiErrors('VALIDATION_FAILED')
  list(@Query() query: ListPersonsQueryDto): Promise<PersonPageDto> {
    return this.persons.list(query);
  }

  @Post('import')
  @HttpCode(200)
  @Access('hr_legal', 'admin')
  @ApiOperation({
    summary: 'Import persons from CSV (header externalRef,fullName,email,locale)',
    description:
      'Upserts by externalRef, else by email. All or nothing: any bad line rejects the whole file, and ' +
      'details list every problem as { line, field, problems }.',
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: 'externalRef,fullName,email,locale\nEMP-1,Élodie Lefèvre,elodie@example.com,fr\n' } })
  @ApiResponse({ status: 200, type: ImportResultDto })
  @ApiErrors('VALIDATION_FAILED', 'UNSUPPORTED_MEDIA_TYPE')
  async import(
    @Body() csv: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Staff() staff: StaffPrincipal,
  ): Promise<ImportResultDto> {
    if (typeof csv !== 'string' || !/^text\/csv\b/i.test(contentType ?? '')) {
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the CSV as the body with Content-Type: text/csv');
    }
    return this.persons.importCsv(csv, staffActor(staff));
  }

  @Get(':id')
  @Access('hr_legal', 'admin')
  @ApiOperation({ summary: 'One person' })
  @ApiResponse({ status: 200, type: PersonDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  async get(@Param('id', uuidPipe('id')) id: string): Promise<PersonDto> {
    return PersonDto.from(await this.persons.get(id));
  }

  @Patch(':id')
  @Access('hr_legal', 'admin')
  @ApiOperation({ summary: 'Change a person (setting employmentEndedAt revokes consents that do not cover after employment)' })
  @ApiResponse({ status: 200, type: PersonDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'PERSON_ALREADY_EXISTS')
  async update(
    @Param('id', uuidPipe('id')) id: string,
    @Body() body: UpdatePersonDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<PersonDto> {
    return PersonDto.from(await this.persons.update(id, body, staffActor(staff)));
  }
}
