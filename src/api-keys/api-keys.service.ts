import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { pgPoolOf } from 'src/database/pg-connections';
import { ApiKey } from 'src/api-keys/api-key.entity';
import {
  API_KEY_REVOKED_CHANNEL,
  ApiKeyPrincipalCache,
} from 'src/api-keys/api-key-principal-cache';
import { hashApiKey, looksLikeApiKey, newApiKey } from 'src/api-keys/domain/api-key-secret';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound } from 'src/common/errors/domain-error';
import { Role, StaffPrincipal } from 'src/common/auth/roles';

/** Named, so each pooled connection plans it once: it runs on every request a key's principal is not cached. */
const ACTIVE_KEY_BY_HASH = {
  name: 'api-key-by-hash',
  text: 'SELECT id, name, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
};

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly auditLog: AuditLog,
    private readonly principals: ApiKeyPrincipalCache,
  ) {}

  async create(
    name: string,
    role: Role,
    actor: AuditActor,
  ): Promise<{ key: ApiKey; plaintext: string }> {
    const { plaintext, hash } = newApiKey();
    const key = await this.dataSource.transaction(async (em) => {
      const saved = await em.save(
        em.create(ApiKey, {
          name,
          role,
          keyHash: hash,
          createdAt: this.clock.now(),
          revokedAt: null,
        }),
      );
      // The name is free text chosen by staff: only the id and the role go into the log.
      await this.auditLog.append(em, {
        action: 'apikey.created',
        actor,
        data: { keyId: saved.id, role },
      });
      return saved;
    });
    return { key, plaintext };
  }

  list(): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async revoke(id: string, actor: AuditActor): Promise<ApiKey> {
    const revoked = await this.dataSource.transaction(async (em) => {
      const key = await em.findOne(ApiKey, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw new NotFound('API key');
      if (key.revokedAt)
        throw new DomainError('CONFLICT', 'API key is already revoked', {
          revokedAt: key.revokedAt,
        });
      key.revokedAt = this.clock.now();
      const saved = await em.save(key);
      await this.auditLog.append(em, {
        action: 'apikey.revoked',
        actor,
        data: { keyId: key.id, role: key.role },
      });
      // Delivered at commit to every instance listening, which then forgets the keys it cached.
      await em.query('SELECT pg_notify($1, $2)', [API_KEY_REVOKED_CHANNEL, key.id]);
      return saved;
    });
    this.principals.invalidate();
    return revoked;
  }

  /** The principal behind a presented key, or null for an unknown or revoked one. */
  async authenticate(presented: string): Promise<StaffPrincipal | null> {
    if (!looksLikeApiKey(presented)) return null;
    const keyHash = hashApiKey(presented);
    const cached = this.principals.get(keyHash);
    if (cached) return cached;
    const startedAt = this.principals.lookupStarted();
    const { rows } = await pgPoolOf(this.dataSource).query<{ id: string; name: string; role: Role }>({
      ...ACTIVE_KEY_BY_HASH,
      values: [keyHash],
    });
    const key = rows[0];
    if (!key) return null;
    const principal: StaffPrincipal = { keyId: key.id, keyName: key.name, role: key.role };
    this.principals.set(keyHash, principal, startedAt);
    return principal;
  }
}
