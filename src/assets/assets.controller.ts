import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AssetsService } from 'src/assets/assets.service';
import { ClearanceService } from 'src/assets/clearance.service';
import {
  AssetDto,
  AssetPageDto,
  BulkCreateAssetsDto,
  BulkRegisteredDto,
  CreateAssetDto,
  ListAssetsQueryDto,
  ReplacePersonsDto,
} from 'src/assets/dto/asset.dto';
import { ClearanceDto, ClearanceQueryDto } from 'src/assets/dto/clearance.dto';
import { CreatePublicationDto, PublicationDto } from 'src/assets/dto/publication.dto';
import { PublicationsService } from 'src/assets/publications.service';
import { staffActor } from 'src/audit/audit-log.service';
import { Access } from 'src/common/auth/access.decorator';
import { Staff } from 'src/common/auth/principal.decorator';
import type { StaffPrincipal } from 'src/common/auth/roles';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';

@ApiTags('assets')
@Controller('v1/assets')
export class AssetsController {
  constructor(
    private readonly assets: AssetsService,
    private readonly clearance: ClearanceService,
    private readonly publications: PublicationsService,
  ) {}

  @Post()
  @Access('marketing', 'hr_legal')
  @ApiOperation({
    summary: 'Register a photo, video or voice recording with everyone identifiable in it',
  })
  @ApiResponse({ status: 201, type: AssetDto })
  @ApiErrors('VALIDATION_FAILED', 'ASSET_ALREADY_EXISTS')
  create(@Body() body: CreateAssetDto, @Staff() staff: StaffPrincipal): Promise<AssetDto> {
    return this.assets.register(body, staffActor(staff), staff.keyId);
  }

  @Post('bulk')
  @Access('marketing', 'hr_legal')
  @ApiOperation({
    summary: 'Register up to 1,000 assets, all or nothing',
    description:
      'One bad item and nothing is written; every problem is reported with its item index (field assets.<index>.<field>).',
  })
  @ApiResponse({ status: 201, type: BulkRegisteredDto })
  @ApiErrors('VALIDATION_FAILED', 'ASSET_ALREADY_EXISTS')
  createMany(
    @Body() body: BulkCreateAssetsDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<BulkRegisteredDto> {
    return this.assets.registerMany(body.assets, staffActor(staff), staff.keyId);
  }

  @Get()
  @Access('marketing', 'hr_legal')
  @ApiOperation({ summary: 'Assets, newest first, with the channels each is cleared on now' })
  @ApiResponse({ status: 200, type: AssetPageDto })
  @ApiErrors('VALIDATION_FAILED')
  list(@Query() query: ListAssetsQueryDto): Promise<AssetPageDto> {
    return this.assets.list(query);
  }

  @Get(':id')
  @Access('marketing', 'hr_legal')
  @ApiOperation({ summary: 'One asset: who is in it (ids) and the channels it is cleared on now' })
  @ApiResponse({ status: 200, type: AssetDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  get(@Param('id', uuidPipe('id')) id: string): Promise<AssetDto> {
    return this.assets.get(id);
  }

  @Put(':id/persons')
  @Access('marketing', 'hr_legal')
  @ApiOperation({
    summary: 'Replace who appears in the asset; it is judged again at once',
    description:
      'Channels it loses get asset.blocked events and takedowns for their live publications, in the same transaction.',
  })
  @ApiResponse({ status: 200, type: AssetDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  replacePersons(
    @Param('id', uuidPipe('id')) id: string,
    @Body() body: ReplacePersonsDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<AssetDto> {
    return this.assets.replacePersons(id, body.personIds, staffActor(staff));
  }

  @Get(':id/clearance')
  @Access('marketing', 'hr_legal')
  @ApiOperation({
    summary: 'May this asset be used on this channel at this instant (now by default)?',
    description:
      'Allowed only when every person in it has a consent granted, accepting the channel, covering the media type and valid at `at`. ' +
      'Otherwise one reason per person not covered, as a person id and a code. A past `at` answers what was allowed then.',
  })
  @ApiResponse({ status: 200, type: ClearanceDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  clearanceOf(
    @Param('id', uuidPipe('id')) id: string,
    @Query() query: ClearanceQueryDto,
  ): Promise<ClearanceDto> {
    return this.clearance.check(id, query.channel, query.at ? new Date(query.at) : undefined);
  }

  @Post(':id/publications')
  @Access('marketing', 'hr_legal')
  @ApiOperation({
    summary:
      'Record that the asset is used there; refused unless it is cleared on that channel now',
    description:
      'A refusal answers 409 ASSET_NOT_CLEARED with the reasons (person ids and codes) and is audited.',
  })
  @ApiResponse({ status: 201, type: PublicationDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'ASSET_NOT_CLEARED')
  publish(
    @Param('id', uuidPipe('id')) id: string,
    @Body() body: CreatePublicationDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<PublicationDto> {
    return this.publications.record(id, body, staffActor(staff), staff.keyId);
  }
}
