import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from 'src/common/clock/clock';
import { AppConfig } from 'src/config/app-config';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { isLastAttempt, RetryPolicy, retryDelayMs } from 'src/webhooks/domain/delivery-schedule';
import { signWebhook } from 'src/webhooks/domain/webhook-signature';
import { webhookJobId } from 'src/webhooks/webhook-events.service';
import { WebhookDelivery } from 'src/webhooks/webhook-delivery.entity';
import { WebhookTransport } from 'src/webhooks/webhook-transport';
import { Webhook } from 'src/webhooks/webhook.entity';

/** The exact bytes sent on every attempt of a delivery; only the timestamp and signature headers change. */
export function deliveryBody(delivery: WebhookDelivery): string {
  return JSON.stringify({
    id: delivery.id,
    event: delivery.event,
    createdAt: delivery.createdAt.toISOString(),
    data: delivery.payload,
  });
}

/** One attempt at one delivery; its outcome is recorded in PostgreSQL whatever happens. */
@Injectable()
export class WebhookDeliverer {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transport: WebhookTransport,
    private readonly outbox: JobOutbox,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * `attemptsMade` counts the queue's attempts before this one. A failed attempt that is not the last
   * throws, so the queue retries it with its backoff.
   */
  async attempt(deliveryId: string, attemptsMade: number, policy: RetryPolicy): Promise<void> {
    const delivery = await this.dataSource
      .getRepository(WebhookDelivery)
      .findOneBy({ id: deliveryId });
    if (!delivery || delivery.status !== 'pending') {
      await this.outbox.markDone(webhookJobId(deliveryId));
      return;
    }
    const webhook = await this.dataSource
      .getRepository(Webhook)
      .findOneByOrFail({ id: delivery.webhookId });
    if (!webhook.active) {
      await this.record(delivery, {
        status: 'failed',
        error: 'webhook deactivated',
        statusCode: null,
        counts: false,
      });
      await this.outbox.markDone(webhookJobId(deliveryId));
      return;
    }

    const body = deliveryBody(delivery);
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    let failure: { error: string; statusCode: number | null };
    try {
      const response = await this.transport.post(
        webhook.url,
        {
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(webhook.secret, timestamp, body),
          'user-agent': 'consent-ledger-webhooks/1',
        },
        body,
        this.config.webhookAllowPrivate,
      );
      if (response.status >= 200 && response.status < 300) {
        await this.record(delivery, {
          status: 'delivered',
          error: null,
          statusCode: response.status,
          counts: true,
        });
        await this.outbox.markDone(webhookJobId(deliveryId));
        return;
      }
      failure = {
        error: `HTTP ${response.status}${response.excerpt ? `: ${response.excerpt}` : ''}`,
        statusCode: response.status,
      };
    } catch (error) {
      failure = { error: error instanceof Error ? error.message : String(error), statusCode: null };
    }

    const made = attemptsMade + 1;
    const now = this.clock.now();
    const last = isLastAttempt(made, policy, delivery.createdAt, now);
    await this.record(delivery, {
      status: last ? 'failed' : 'pending',
      error: failure.error,
      statusCode: failure.statusCode,
      counts: true,
      nextAttemptAt: last ? null : new Date(now.getTime() + retryDelayMs(made, policy)),
    });
    this.logger.warn(
      { deliveryId, webhookId: webhook.id, attempt: made, last },
      'webhook delivery failed',
    );
    if (last) {
      await this.outbox.markDone(webhookJobId(deliveryId));
      return;
    }
    throw new Error(`webhook delivery ${deliveryId} failed: ${failure.error}`);
  }

  private async record(
    delivery: WebhookDelivery,
    outcome: {
      status: WebhookDelivery['status'];
      error: string | null;
      statusCode: number | null;
      counts: boolean;
      nextAttemptAt?: Date | null;
    },
  ): Promise<void> {
    await this.dataSource.getRepository(WebhookDelivery).update(
      { id: delivery.id },
      {
        status: outcome.status,
        ...(outcome.counts ? { attempts: () => 'attempts + 1' } : {}),
        lastError: outcome.error?.slice(0, 500) ?? null,
        lastStatusCode: outcome.statusCode,
        nextAttemptAt: outcome.nextAttemptAt ?? null,
        deliveredAt: outcome.status === 'delivered' ? this.clock.now() : null,
      },
    );
  }
}
