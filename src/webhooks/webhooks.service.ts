import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound, ValidationFailed } from 'src/common/errors/domain-error';
import { decodeCursor, Page, toPage } from 'src/common/http/pagination';
import { AppConfig } from 'src/config/app-config';
import { DestinationProblem, destinationProblem } from 'src/webhooks/domain/webhook-destination';
import { newWebhookSecret } from 'src/webhooks/domain/webhook-signature';
import {
  CreateWebhookDto,
  DeliveryDto,
  ListDeliveriesQueryDto,
} from 'src/webhooks/dto/webhook.dto';
import { WebhookDelivery } from 'src/webhooks/webhook-delivery.entity';
import { Webhook } from 'src/webhooks/webhook.entity';

const PROBLEMS: Record<DestinationProblem, string> = {
  not_a_url: 'url must be an absolute URL',
  not_http: 'url must be http or https',
  has_credentials: 'url must not carry a user name or password',
  private_address: 'url must not point to a loopback, private, link-local or unique-local address',
};

/** Registering webhooks and reading their deliveries (admin). */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async register(
    input: CreateWebhookDto,
    createdByKeyId: string | null,
    actor: AuditActor,
  ): Promise<{ webhook: Webhook; secret: string }> {
    const problem = destinationProblem(input.url, this.config.webhookAllowPrivate);
    if (problem) throw ValidationFailed.field('url', PROBLEMS[problem]);
    const secret = newWebhookSecret();
    const webhook = this.dataSource.getRepository(Webhook).create({
      id: randomUUID(),
      url: new URL(input.url).toString(),
      events: input.events,
      secret,
      active: true,
      createdByKeyId,
      createdAt: this.clock.now(),
      deactivatedAt: null,
    });
    await this.dataSource.transaction(async (em) => {
      await em.insert(Webhook, webhook);
      await this.audit.append(em, { action: 'webhook.registered', actor, data: { webhookId: webhook.id, events: webhook.events } });
    });
    return { webhook, secret };
  }

  list(): Promise<Webhook[]> {
    return this.dataSource.getRepository(Webhook).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Stops new deliveries; pending ones are marked failed when their turn comes. */
  async deactivate(id: string, actor: AuditActor): Promise<Webhook> {
    return this.dataSource.transaction(async (em) => {
      const webhook = await em.findOne(Webhook, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!webhook) throw new NotFound('Webhook');
      if (!webhook.active) throw new DomainError('CONFLICT', 'The webhook is already deactivated');
      webhook.active = false;
      webhook.deactivatedAt = this.clock.now();
      await this.audit.append(em, { action: 'webhook.deactivated', actor, data: { webhookId: webhook.id } });
      return em.save(webhook);
    });
  }

  async deliveries(webhookId: string, query: ListDeliveriesQueryDto): Promise<Page<DeliveryDto>> {
    const exists = await this.dataSource.getRepository(Webhook).existsBy({ id: webhookId });
    if (!exists) throw new NotFound('Webhook');
    const limit = query.limit ?? 50;
    const after = decodeCursor(query.cursor);
    const qb = this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder('d')
      .where('d.webhook_id = :webhookId', { webhookId });
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    if (after) qb.andWhere('(d.created_at, d.id) < (:at, :id)', { at: after.at, id: after.id });
    const rows = await qb
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit + 1)
      .getMany();
    return toPage(
      rows,
      limit,
      (d) => ({ at: d.createdAt, id: d.id }),
      (d) => DeliveryDto.from(d),
    );
  }
}
