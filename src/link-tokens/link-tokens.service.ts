import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from 'src/common/clock/clock';
import { hashLinkToken, looksLikeLinkToken, newLinkToken, sameHash } from 'src/link-tokens/domain/link-token-secret';
import { LinkPurpose, LinkToken } from 'src/link-tokens/link-token.entity';

export type LinkLookup =
  | { state: 'valid'; link: LinkToken }
  | { state: 'expired'; link: LinkToken }
  | { state: 'used'; link: LinkToken }
  | { state: 'unknown' };

@Injectable()
export class LinkTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Creates a link secret; the returned token is never stored and must go straight into a URL. */
  async issue(
    em: EntityManager,
    link: { purpose: LinkPurpose; personId: string; consentId?: string; expiresAt: Date },
  ): Promise<string> {
    const { token, hash } = newLinkToken();
    await em.insert(LinkToken, {
      id: randomUUID(),
      tokenHash: hash,
      purpose: link.purpose,
      personId: link.personId,
      consentId: link.consentId ?? null,
      createdAt: this.clock.now(),
      expiresAt: link.expiresAt,
      openedAt: null,
      usedAt: null,
    });
    return token;
  }

  /** A token of another purpose is as unknown as a made-up one. */
  async lookup(token: string, purpose: LinkPurpose, em: EntityManager = this.dataSource.manager): Promise<LinkLookup> {
    if (!looksLikeLinkToken(token)) return { state: 'unknown' };
    const hash = hashLinkToken(token);
    const link = await em.findOneBy(LinkToken, { tokenHash: hash });
    if (!link || link.purpose !== purpose || !sameHash(link.tokenHash, hash)) return { state: 'unknown' };
    if (link.usedAt) return { state: 'used', link };
    if (this.clock.now() >= link.expiresAt) return { state: 'expired', link };
    return { state: 'valid', link };
  }

  /** True the first time only, so "link opened" is recorded once per link. */
  async markOpened(em: EntityManager, link: LinkToken): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(LinkToken)
      .set({ openedAt: this.clock.now() })
      .where('id = :id AND opened_at IS NULL', { id: link.id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Single use: only one caller can use a link; the others get false. */
  async markUsed(em: EntityManager, link: LinkToken): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(LinkToken)
      .set({ usedAt: this.clock.now() })
      .where('id = :id AND used_at IS NULL', { id: link.id })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
