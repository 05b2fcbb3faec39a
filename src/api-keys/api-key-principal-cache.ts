import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { StaffPrincipal } from 'src/common/auth/roles';

/** The PostgreSQL channel every revocation notifies, from the revoking transaction (so at commit). */
export const API_KEY_REVOKED_CHANNEL = 'api_key_revoked';

/** A safety net only: revocations reach the cache through the notification, at once. */
const ENTRY_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

interface Entry {
  principal: StaffPrincipal;
  expiresAt: number;
}

/**
 * The principals of keys seen recently, keyed by key hash, so most requests authenticate without a
 * query. A revocation by any process (this service, another instance, the CLI) notifies
 * API_KEY_REVOKED_CHANNEL when it commits, and each instance drops its whole cache. While this
 * instance is not listening on that channel (before the first request, or after its connection
 * broke) the cache is empty and bypassed, so a revocation is never missed: every request then asks
 * the database, as without a cache.
 */
@Injectable()
export class ApiKeyPrincipalCache implements OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyPrincipalCache.name);
  private readonly entries = new Map<string, Entry>();
  /** Bumped on every invalidation: a lookup that started before one must not fill the cache. */
  private generation = 0;
  private listener: Client | undefined;
  private listening = false;
  private connecting = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = RECONNECT_MIN_MS;
  private closed = false;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The cached principal, if this instance is listening for revocations and has a fresh one. */
  get(keyHash: Buffer, now: number = Date.now()): StaffPrincipal | undefined {
    this.ensureListening();
    if (!this.listening) return undefined;
    const id = keyHash.toString('base64');
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.principal;
  }

  /** A token to pass back to set(), taken before reading the key from the database. */
  lookupStarted(): number {
    return this.generation;
  }

  set(
    keyHash: Buffer,
    principal: StaffPrincipal,
    startedAt: number,
    now: number = Date.now(),
  ): void {
    if (!this.listening || startedAt !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(keyHash.toString('base64'), { principal, expiresAt: now + ENTRY_TTL_MS });
  }

  invalidate(): void {
    this.generation += 1;
    this.entries.clear();
  }

  onModuleDestroy(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.stopListening();
  }

  private ensureListening(): void {
    if (this.listening || this.connecting || this.closed || this.reconnectTimer) return;
    this.connecting = true;
    void this.listen().finally(() => {
      this.connecting = false;
    });
  }

  private async listen(): Promise<void> {
    const url = (this.dataSource.options as { url?: string }).url;
    const client = new Client({
      connectionString: url,
      application_name: 'consent-ledger-revocations',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 5_000,
    });
    this.listener = client;
    client.on('notification', (message) => {
      if (message.channel === API_KEY_REVOKED_CHANNEL) this.invalidate();
    });
    client.on('error', () => this.connectionLost(client));
    client.on('end', () => this.connectionLost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_REVOKED_CHANNEL}`);
      if (this.listener !== client || this.closed) return;
      // Revocations made while nobody listened are not replayed: start empty.
      this.invalidate();
      this.listening = true;
      this.reconnectDelayMs = RECONNECT_MIN_MS;
    } catch (error) {
      this.logger.warn(
        `Not listening for API key revocations (${(error as Error).message}); keys are checked against the database on every request until it works`,
      );
      this.connectionLost(client);
    }
  }

  private connectionLost(client: Client): void {
    if (this.listener !== client) return;
    this.stopListening();
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.ensureListening();
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, RECONNECT_MAX_MS);
  }

  private stopListening(): void {
    this.listening = false;
    this.invalidate();
    const client = this.listener;
    this.listener = undefined;
    if (client) {
      client.removeAllListeners('notification');
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
    }
  }
}
