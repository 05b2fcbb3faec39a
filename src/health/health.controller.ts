import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import { PublicRoute } from 'src/common/auth/access.decorator';
import { ErrorResponseDto } from 'src/common/errors/error-response.dto';
import { QueueWatch } from 'src/queue/queue-watch.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly queues: QueueWatch,
  ) {}

  @Get()
  @PublicRoute()
  @HealthCheck()
  @ApiOperation({ summary: 'Database and queue backend status (200 when all are up, 503 otherwise)' })
  @ApiResponse({ status: 200, description: '{ status: "ok", info: { database, queue } }' })
  @ApiResponse({
    status: 503,
    type: ErrorResponseDto,
    description: 'SERVICE_UNAVAILABLE; details: { status: "error", error: { the failing part }, details }',
  })
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      async () => {
        const session = this.indicators.check('queue');
        const status = await this.queues.status();
        const data = { backend: status.backend, ...(status.detail ? { message: status.detail } : {}) };
        return status.up ? session.up(data) : session.down(data);
      },
    ]);
  }
}
