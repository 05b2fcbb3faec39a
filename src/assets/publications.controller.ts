import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ListPublicationsQueryDto,
  PublicationDto,
  PublicationPageDto,
  RemovePublicationDto,
} from 'src/assets/dto/publication.dto';
import { PublicationsService } from 'src/assets/publications.service';
import { staffActor } from 'src/audit/audit-log.service';
import { Access } from 'src/common/auth/access.decorator';
import { Staff } from 'src/common/auth/principal.decorator';
import type { StaffPrincipal } from 'src/common/auth/roles';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';

@ApiTags('assets')
@Controller('v1/publications')
export class PublicationsController {
  constructor(private readonly publications: PublicationsService) {}

  @Get()
  @Access('marketing', 'hr_legal')
  @ApiOperation({ summary: 'Where assets are used, newest first' })
  @ApiResponse({ status: 200, type: PublicationPageDto })
  @ApiErrors('VALIDATION_FAILED')
  list(@Query() query: ListPublicationsQueryDto): Promise<PublicationPageDto> {
    return this.publications.list(query);
  }

  @Post(':id/removed')
  @HttpCode(200)
  @Access('marketing', 'hr_legal')
  @ApiOperation({
    summary: 'Record that a publication was taken down; completes its open takedown, if any',
  })
  @ApiResponse({ status: 200, type: PublicationDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT')
  remove(
    @Param('id', uuidPipe('id')) id: string,
    @Body() body: RemovePublicationDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<PublicationDto> {
    return this.publications.markRemoved(id, body, staffActor(staff), staff.keyId);
  }
}
