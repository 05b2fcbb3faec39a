import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { staffActor } from 'src/audit/audit-log.service';
import { Access } from 'src/common/auth/access.decorator';
import { Staff } from 'src/common/auth/principal.decorator';
import type { StaffPrincipal } from 'src/common/auth/roles';
import { ApiErrors } from 'src/common/http/api-errors.decorator';
import { uuidPipe } from 'src/common/http/uuid.pipe';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  DeliveryPageDto,
  ListDeliveriesQueryDto,
  WebhookDto,
  WebhookListDto,
} from 'src/webhooks/dto/webhook.dto';
import { WebhooksService } from 'src/webhooks/webhooks.service';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Access('admin')
  @ApiOperation({
    summary: 'Register a webhook; its signing secret is in this response only',
    description:
      'Each delivery is a POST with a JSON body {id, event, createdAt, data} and the headers Webhook-Id (the idempotency id, the same on every attempt), ' +
      'Webhook-Timestamp (Unix seconds) and Webhook-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>. ' +
      'Failed deliveries are retried with exponential backoff for up to 24 hours. See docs/webhooks.md.',
  })
  @ApiResponse({ status: 201, type: CreatedWebhookDto })
  @ApiErrors('VALIDATION_FAILED')
  async create(
    @Body() body: CreateWebhookDto,
    @Staff() staff: StaffPrincipal,
  ): Promise<CreatedWebhookDto> {
    const { webhook, secret } = await this.webhooks.register(body, staff.keyId, staffActor(staff));
    return { ...WebhookDto.from(webhook), secret };
  }

  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'The registered webhooks (never their secrets)' })
  @ApiResponse({ status: 200, type: WebhookListDto })
  async list(): Promise<WebhookListDto> {
    return { items: (await this.webhooks.list()).map((webhook) => WebhookDto.from(webhook)) };
  }

  @Delete(':id')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({ summary: 'Deactivate a webhook: no new deliveries; pending ones end as failed' })
  @ApiResponse({ status: 200, type: WebhookDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT')
  async deactivate(@Param('id', uuidPipe('id')) id: string, @Staff() staff: StaffPrincipal): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.deactivate(id, staffActor(staff)));
  }

  @Get(':id/deliveries')
  @Access('admin')
  @ApiOperation({ summary: "A webhook's deliveries, newest first: status, attempts, last error" })
  @ApiResponse({ status: 200, type: DeliveryPageDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  deliveries(
    @Param('id', uuidPipe('id')) id: string,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<DeliveryPageDto> {
    return this.webhooks.deliveries(id, query);
  }
}
