import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKey } from 'src/api-keys/api-key.entity';
import { hashApiKey, looksLikeApiKey, newApiKey } from 'src/api-keys/domain/api-key-secret';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound } from 'src/common/errors/domain-error';
import { Role, StaffPrincipal } from 'src/common/auth/roles';

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly auditLog: AuditLog,
  ) {}

  async create(name: string, role: Role, actor: AuditActor): Promise<{ key: ApiKey; plaintext: string }> {
    const { plaintext, hash } = newApiKey();
    const key = await this.dataSource.transaction(async (em) => {
      const saved = await em.save(em.create(ApiKey, { name, role, keyHash: hash, createdAt: this.clock.now(), revokedAt: null }));
      // The name is free text chosen by staff: only the id and the role go into the log.
      await this.auditLog.append(em, { action: 'apikey.created', actor, data: { keyId: saved.id, role } });
      return saved;
    });
    return { key, plaintext };
  }

  list(): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async revoke(id: string, actor: AuditActor): Promise<ApiKey> {
    return this.dataSource.transaction(async (em) => {
      const key = await em.findOne(ApiKey, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw new NotFound('API key');
      if (key.revokedAt) throw new DomainError('CONFLICT', 'API key is already revoked', { revokedAt: key.revokedAt });
      key.revokedAt = this.clock.now();
      const saved = await em.save(key);
      await this.auditLog.append(em, { action: 'apikey.revoked', actor, data: { keyId: key.id, role: key.role } });
      return saved;
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
