import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ClearanceService } from 'src/assets/clearance.service';
import { BulkClearanceDto, BulkClearanceResultDto } from 'src/assets/dto/clearance.dto';
import { Access } from 'src/common/auth/access.decorator';
import { ApiErrors } from 'src/common/http/api-errors.decorator';

@ApiTags('assets')
@Controller('v1/clearance')
export class ClearanceController {
  constructor(private readonly clearance: ClearanceService) {}

  @Post()
  @HttpCode(200)
  @Access('marketing', 'hr_legal')
  @ApiOperation({
    summary: 'Clearance of up to 10,000 assets on one channel at one instant, in one request',
    description:
      'Answered from one SQL statement whatever the number of assets. Ids that are not registered assets are listed apart.',
  })
  @ApiResponse({ status: 200, type: BulkClearanceResultDto })
  @ApiErrors('VALIDATION_FAILED')
  check(@Body() body: BulkClearanceDto): Promise<BulkClearanceResultDto> {
    return this.clearance.checkMany(
      body.assetIds,
      body.channel,
      body.at ? new Date(body.at) : undefined,
    );
  }
}
