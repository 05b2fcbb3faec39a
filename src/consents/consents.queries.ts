import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { Clock } from 'src/common/clock/clock';
import { NotFound } from 'src/common/errors/domain-error';
import { decodeCursor, Page, toPage } from 'src/common/http/pagination';
import { Consent } from 'src/consents/consent.entity';
import { ConsentChannel } from 'src/consents/consent-channel.entity';
import { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';
import { ListConsentsQueryDto } from 'src/consents/dto/consent-actions.dto';
import { ConsentDetailDto, ConsentDto, ConsentHistoryEntryDto, WithdrawalDto } from 'src/consents/dto/consent.dto';

/** Staff reads of the register: set-based queries, one per kind of row. */
@Injectable()
export class ConsentsQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(query: ListConsentsQueryDto): Promise<Page<ConsentDto>> {
    const limit = query.limit ?? 50;
    const after = decodeCursor(query.cursor);
    const now = this.clock.now();
    const qb = this.dataSource.getRepository(Consent).createQueryBuilder('c');
    if (query.personId) qb.andWhere('c.person_id = :personId', { personId: query.personId });
    if (query.channel) qb.andWhere(':channel = ANY(c.channels)', { channel: query.channel });
    if (query.status) {
      // The stored status lags the dates until a job records them: filter on the status as of now.
      switch (query.status) {
        case 'pending':
          qb.andWhere("c.status = 'pending' AND c.sign_deadline > :now", { now });
          break;
        case 'lapsed':
          qb.andWhere("(c.status = 'lapsed' OR (c.status = 'pending' AND c.sign_deadline <= :now))", { now });
          break;
        case 'granted':
          qb.andWhere("c.status = 'granted' AND c.valid_until > :now", { now });
          break;
        case 'expired':
          qb.andWhere("(c.status = 'expired' OR (c.status = 'granted' AND c.valid_until <= :now))", { now });
          break;
        case 'refused':
        case 'withdrawn':
        case 'superseded':
        case 'revoked':
          qb.andWhere('c.status = :status', { status: query.status });
      }
    }
    if (query.expiringBefore) {
      qb.andWhere("c.status = 'granted' AND c.valid_until > :now AND c.valid_until < :before", {
        now,
        before: new Date(query.expiringBefore),
      });
    }
    if (after) qb.andWhere('(c.requested_at, c.id) < (:at, :id)', { at: after.at, id: after.id });
    const rows = await qb.orderBy('c.requested_at', 'DESC').addOrderBy('c.id', 'DESC').limit(limit + 1).getMany();
    const channels = await this.channelsOf(rows.map((c) => c.id));
    return toPage(
      rows,
      limit,
      (c) => ({ at: c.requestedAt, id: c.id }),
      (c) => ConsentDto.from(c, channels.get(c.id) ?? [], now),
    );
  }

  async detail(id: string): Promise<ConsentDetailDto> {
    const consent = await this.dataSource.getRepository(Consent).findOneBy({ id });
    if (!consent) throw new NotFound('Consent');
    return (await this.details([consent]))[0];
  }

  async detailsForPerson(personId: string): Promise<ConsentDetailDto[]> {
    const consents = await this.dataSource.getRepository(Consent).find({ where: { personId }, order: { requestedAt: 'ASC' } });
    return this.details(consents);
  }

  private async details(consents: Consent[]): Promise<ConsentDetailDto[]> {
    const ids = consents.map((c) => c.id);
    const now = this.clock.now();
    const [channels, withdrawals, history] = await Promise.all([
      this.channelsOf(ids),
      ids.length ? this.dataSource.getRepository(ConsentWithdrawal).find({ where: { consentId: In(ids) }, order: { occurredAt: 'ASC' } }) : [],
      this.historyOf(ids),
    ]);
    return consents.map((consent) => ({
      ...ConsentDto.from(consent, channels.get(consent.id) ?? [], now),
      noticeText: consent.noticeText,
      forceJustification: consent.forceJustification,
      withdrawals: withdrawals.filter((w) => w.consentId === consent.id).map((w) => WithdrawalDto.from(w)),
      history: history.get(consent.id) ?? [],
    }));
  }

  private async channelsOf(ids: string[]): Promise<Map<string, ConsentChannel[]>> {
    const byConsent = new Map<string, ConsentChannel[]>();
    if (ids.length === 0) return byConsent;
    for (const row of await this.dataSource.getRepository(ConsentChannel).findBy({ consentId: In(ids) })) {
      byConsent.set(row.consentId, [...(byConsent.get(row.consentId) ?? []), row]);
    }
    return byConsent;
  }

  private async historyOf(ids: string[]): Promise<Map<string, ConsentHistoryEntryDto[]>> {
    const byConsent = new Map<string, ConsentHistoryEntryDto[]>();
    if (ids.length === 0) return byConsent;
    const rows = await this.dataSource.query<{ seq: string; action: string; occurred_at: Date; consent_id: string; canonical: Buffer }[]>(
      // The consent's own story; the assets it blocked or unblocked are in the audit log, not here.
      "SELECT seq, action, occurred_at, consent_id, canonical FROM audit_events WHERE consent_id = ANY($1) AND split_part(action, '.', 1) IN ('consent', 'email', 'evidence', 'reminder') ORDER BY seq",
      [ids],
    );
    for (const row of rows) {
      const actor = (JSON.parse(row.canonical.toString('utf8')) as { actor?: { type?: string } }).actor;
      const entry = { seq: Number(row.seq), action: row.action, occurredAt: row.occurred_at.toISOString(), actorType: actor?.type ?? 'system' };
      byConsent.set(row.consent_id, [...(byConsent.get(row.consent_id) ?? []), entry]);
    }
    return byConsent;
  }
}
