import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as path from 'node:path';
import { EnvironmentVariables } from 'src/config/env.schema';

/** Typed access to the validated environment; the one place that knows variable names. */
@Injectable()
export class AppConfig {
  constructor(private readonly config: ConfigService<EnvironmentVariables, true>) {}

  private get<K extends keyof EnvironmentVariables>(key: K): EnvironmentVariables[K] {
    return this.config.get(key, { infer: true });
  }

  get databaseUrl(): string {
    const url = this.get('DATABASE_URL');
    if (!url) throw new Error('DATABASE_URL is not set and no embedded PostgreSQL was started');
    return url;
  }

  get redisUrl(): string | undefined {
    return this.get('REDIS_URL');
  }

  get smtpUrl(): string | undefined {
    return this.get('SMTP_URL');
  }

  get publicBaseUrl(): string {
    const url = this.get('PUBLIC_BASE_URL') ?? `http://localhost:${this.port}`;
    return url.replace(/\/+$/, '');
  }

  get port(): number {
    return this.get('PORT');
  }

  get orgName(): string {
    return this.get('ORG_NAME');
  }

  get dataDir(): string {
    return path.resolve(this.get('DATA_DIR'));
  }

  get logLevel(): string {
    return this.get('LOG_LEVEL');
  }

  get queuePrefix(): string {
    return this.get('QUEUE_PREFIX');
  }

  get auditSigningKey(): string | undefined {
    return this.get('AUDIT_SIGNING_KEY');
  }

  get auditLogOrigin(): string {
    return this.get('AUDIT_LOG_ORIGIN') ?? `${new URL(this.publicBaseUrl).host}/consent-ledger/audit`;
  }

  get auditCheckpointEvery(): number {
    return this.get('AUDIT_CHECKPOINT_EVERY');
  }

  get auditCheckpointMinutes(): number {
    return this.get('AUDIT_CHECKPOINT_MINUTES');
  }

  get auditCheckpointWebhook(): string | undefined {
    return this.get('AUDIT_CHECKPOINT_WEBHOOK');
  }

  get mailFrom(): string {
    return this.get('MAIL_FROM') ?? `"${this.orgName.replace(/"/g, '')}" <no-reply@localhost>`;
  }

  get signLinkDays(): number {
    return this.get('SIGN_LINK_DAYS');
  }

  get manageLinkDays(): number {
    return this.get('MANAGE_LINK_DAYS');
  }

  get reaskCooldownDays(): number {
    return this.get('REASK_COOLDOWN_DAYS');
  }

  get consentMaxMonths(): number {
    return this.get('CONSENT_MAX_MONTHS');
  }

  /** PKCS#12 sealing evidence PDFs: a file path or base64 content; undefined for the dev certificate. */
  get pdfSigningP12(): string | undefined {
    return this.get('PDF_SIGNING_P12');
  }

  get pdfSigningPassphrase(): string {
    return this.get('PDF_SIGNING_PASSPHRASE') ?? '';
  }

  /** Distinct offsets, largest first (the earliest reminder first). */
  get reminderOffsetsDays(): number[] {
    const raw = this.get('REMINDER_OFFSETS_DAYS');
    const days = raw ? raw.split(',').map(Number).filter((d) => d > 0) : [];
    return [...new Set(days)].sort((a, b) => b - a);
  }

  get hrNotifyEmails(): string[] {
    return (this.get('HR_NOTIFY_EMAILS') ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  }

  get reconcileEveryMinutes(): number {
    return this.get('RECONCILE_EVERY_MINUTES');
  }

  get reconcileHorizonHours(): number {
    return this.get('RECONCILE_HORIZON_HOURS');
  }

  get takedownDueHours(): number {
    return this.get('TAKEDOWN_DUE_HOURS');
  }

  get marketingNotifyEmails(): string[] {
    return (this.get('MARKETING_NOTIFY_EMAILS') ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  }

  get webhookAllowPrivate(): boolean {
    return this.get('WEBHOOK_ALLOW_PRIVATE') === 'true';
  }
}
