import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CompleteTakedownDto,
  ListTakedownsQueryDto,
  TakedownDto,
  TakedownPageDto,
} from 'src/assets/dto/takedown.dto';
import { TakedownsService } from 'src/assets/takedowns.service';
import { staffActor } from 'src/audit/audit-log.service';
import { Access } from 'src/common/auth/access.decorator';
import { Staff } from 'src/common/auth/principal.decorator';
import type { StaffPrincipal } from 'src/common/auth/roles';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';

@ApiTags('assets')
@Controller('v1/takedowns')
export class TakedownsController {
  constructor(private readonly takedowns: TakedownsService) {}

  @Get()
  @Access('marketing', 'hr_legal')
  @ApiOperation({ summary: 'Takedown tasks: open (due later), overdue (past due) or done' })
  @ApiResponse({ status: 200, type: TakedownPageDto })
  @ApiErrors('VALIDATION_FAILED')
  list(@Query() query: ListTakedownsQueryDto): Promise<TakedownPageDto> {
    return this.takedowns.list(query);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Access('marketing', 'hr_legal')
  @ApiOperation({
    summary: 'Close a takedown with a note (and evidence); its publication is marked removed now',
  })
  @ApiResponse({ status: 200, type: TakedownDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT')
  complete(
    @Param('id', uuidPipe('id')) id: string,
    @Body() body: CompleteTakedownDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<TakedownDto> {
    return this.takedowns.complete(id, body, staffActor(staff), staff.keyId);
  }
}
