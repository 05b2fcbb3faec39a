import { getQueueToken } from '@nestjs/bullmq';
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { staffActor } from 'src/audit/audit-log.service';
import { Access } from 'src/common/auth/access.decorator';
import { Staff } from 'src/common/auth/principal.decorator';
import type { StaffPrincipal } from 'src/common/auth/roles';
import { NotFound } from 'src/common/errors/domain-error';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';
import { withTimeout } from 'src/common/util/with-timeout';
import { ALL_QUEUES } from 'src/queue/queue-names';
import { QueueWatch } from 'src/queue/queue-watch.service';
import { ListNotificationsQueryDto, NotificationDto, NotificationPageDto, QueuesDto } from 'src/reminders/dto/notification.dto';
import { NotificationsQueries } from 'src/reminders/notifications.queries';
import { RemindersService } from 'src/reminders/reminders.service';

@ApiTags('notifications')
@Controller('v1')
export class NotificationsController {
  constructor(
    private readonly reminders: RemindersService,
    private readonly queries: NotificationsQueries,
    private readonly queueWatch: QueueWatch,
    private readonly moduleRef: ModuleRef,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('notifications')
  @Access('hr_legal')
  @ApiOperation({ summary: 'Scheduled reminders and expiries, by status (failed: the email could not be delivered)' })
  @ApiResponse({ status: 200, type: NotificationPageDto })
  @ApiErrors('VALIDATION_FAILED')
  list(@Query() query: ListNotificationsQueryDto): Promise<NotificationPageDto> {
    return this.queries.list(query);
  }

  @Post('notifications/:id/retry')
  @HttpCode(200)
  @Access('hr_legal')
  @ApiOperation({ summary: 'Send again a notification whose email failed' })
  @ApiResponse({ status: 200, type: NotificationDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT')
  async retry(@Param('id', uuidPipe('id')) id: string, @Staff() staff: StaffPrincipal): Promise<NotificationDto> {
    await this.reminders.retry(id, staffActor(staff));
    const notification = await this.queries.one(id);
    if (!notification) throw new NotFound('Notification');
    return notification;
  }

  @Get('queues')
  @Access('admin')
  @ApiOperation({ summary: 'Job counts per queue and state, and work still waiting in PostgreSQL' })
  @ApiResponse({ status: 200, type: QueuesDto })
  async queues(): Promise<QueuesDto> {
    const status = await this.queueWatch.status();
    const waiting = await this.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM queued_jobs WHERE dispatched_at IS NULL');
    const queues = await Promise.all(
      ALL_QUEUES.map(async (name) => {
        const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
        const counts = status.up ? await withTimeout(queue.getJobCounts(), 3_000, 'job counts').catch(() => ({})) : {};
        return { name, counts };
      }),
    );
    return { backend: status.backend, up: status.up, queues, waitingInDatabase: Number(waiting[0].n) };
  }
}
