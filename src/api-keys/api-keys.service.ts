import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKey } from 'src/api-keys/api-key.entity';
import { hashApiKey, looksLikeApiKey, newApiKey } from 'src/api-keys/domain/api-key-secret';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound } from 'src/common/errors/domain-error';
import { Role, StaffPrincipal } from 'src/common/auth/roles';

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async create(name: string, role: Role): Promise<{ key: ApiKey; plaintext: string }> {
    const { plaintext, hash } = newApiKey();
    const key = await this.dataSource.transaction((em) =>
      em.save(em.create(ApiKey, { name, role, keyHash: hash, createdAt: this.clock.now(), revokedAt: null })),
    );
    return { key, plaintext };
  }

  list(): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async revoke(id: string): Promise<ApiKey> {
    return this.dataSource.transaction(async (em) => {
      const key = await em.findOne(ApiKey, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw new NotFound('API key');
      if (key.revokedAt) throw new DomainError('CONFLICT', 'API key is already revoked', { revokedAt: key.revokedAt });
      key.revokedAt = this.clock.now();
      return em.save(key);
    });
  }

  /** The principal behind a presented key, or null for an unknown or revoked one. */
  async authenticate(presented: string): Promise<StaffPrincipal | null> {
    if (!looksLikeApiKey(presented)) return null;
    const key = await this.dataSource
      .getRepository(ApiKey)
      .findOne({ where: { keyHash: hashApiKey(presented) } });
    if (!key || key.revokedAt) return null;
    return { keyId: key.id, keyName: key.name, role: key.role };
  }
}
