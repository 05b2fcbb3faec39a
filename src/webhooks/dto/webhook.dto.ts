import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from 'src/common/http/pagination';
import { WEBHOOK_EVENTS, WebhookEventName } from 'src/webhooks/domain/webhook-events';
import {
  DELIVERY_STATUSES,
  DeliveryStatus,
  WebhookDelivery,
} from 'src/webhooks/webhook-delivery.entity';
import type { Webhook } from 'src/webhooks/webhook.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://hooks.example.com/consent-ledger',
    maxLength: 2000,
    description:
      'http(s); loopback, private, link-local and unique-local destinations are refused unless WEBHOOK_ALLOW_PRIVATE=true.',
  })
  @Transform(trim)
  @IsString()
  @MinLength(8)
  @MaxLength(2000)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, {
    each: true,
    message: `each value in events must be one of: ${WEBHOOK_EVENTS.join(', ')}`,
  })
  events: WebhookEventName[];
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true }) events: string[];
  @ApiProperty() active: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) deactivatedAt: string | null;

  static from(webhook: Webhook): WebhookDto {
    return {
      id: webhook.id,
      url: webhook.url,
      events: webhook.events,
      active: webhook.active,
      createdAt: webhook.createdAt.toISOString(),
      deactivatedAt: webhook.deactivatedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    description:
      'The signing secret (HMAC-SHA256 key). Shown in this response only; see docs/webhooks.md.',
  })
  secret: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] }) items: WebhookDto[];
}

export class ListDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class DeliveryDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Also the Webhook-Id header: the same on every attempt.',
  })
  id: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS }) event: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The event data sent (ids, codes and dates).',
  })
  data: Record<string, unknown>;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: Number }) lastStatusCode: number | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) nextAttemptAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) deliveredAt: string | null;

  static from(delivery: WebhookDelivery): DeliveryDto {
    return {
      id: delivery.id,
      event: delivery.event,
      data: delivery.payload,
      status: delivery.status,
      attempts: delivery.attempts,
      lastError: delivery.lastError,
      lastStatusCode: delivery.lastStatusCode,
      nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
      createdAt: delivery.createdAt.toISOString(),
      deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    };
  }
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) items: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
