import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every environment variable the service reads. Unset optional values take the defaults below;
 * a bad value stops the process at start with one line naming the variable.
 */
export class EnvironmentVariables {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** Base of the links emailed to people; defaults to http://localhost:<PORT>. */
  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'must be an http(s) URL such as https://consent.example.com' },
  )
  PUBLIC_BASE_URL?: string;

  @Transform(toInt)
  @IsInt({ message: 'must be an integer between 0 and 65535' })
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  ORG_NAME = 'Example Employer';

  @IsString()
  @MinLength(1)
  DATA_DIR = '.data';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Prefix of every BullMQ key (Redis) or schema name (PostgreSQL backend); tests set their own. */
  @Matches(/^[a-z][a-z0-9_]{0,30}$/, { message: 'must be lowercase letters, digits or _' })
  QUEUE_PREFIX = 'consent_ledger';

  /**
   * Ed25519 key signing audit checkpoints: a PKCS#8 PEM (literal \n allowed) or the base64 of the
   * 32-byte seed. Unset: a development key is generated once under DATA_DIR.
   */
  @IsOptional()
  @IsString()
  @MinLength(40, { message: 'must be a PKCS#8 PEM or the base64 of a 32-byte Ed25519 seed' })
  AUDIT_SIGNING_KEY?: string;

  /** Names the audit log in its checkpoints; defaults to <public host>/consent-ledger/audit. */
  @IsOptional()
  @Matches(/^[^\s+]{1,200}$/, { message: 'must be one word without spaces or +, e.g. hr.example.com/consent-ledger/audit' })
  AUDIT_LOG_ORIGIN?: string;

  /** A checkpoint is signed at least every this many audit events. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer of at least 1' })
  @Min(1)
  AUDIT_CHECKPOINT_EVERY = 1000;

  /** A checkpoint is signed this often (minutes) when the log grew since the last one. */
  @Transform(toInt)
  @IsInt({ message: 'must be an integer of at least 1' })
  @Min(1)
  AUDIT_CHECKPOINT_MINUTES = 60;

  /** Receives every checkpoint (POST, JSON), so a copy outside the database pins history. */
  @IsOptional()
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'must be an http(s) URL' },
  )
  AUDIT_CHECKPOINT_WEBHOOK?: string;

  /** Sender of every email, e.g. "Acme HR <hr@acme.example>"; defaults to ORG_NAME <no-reply@localhost>. */
  @IsOptional()
  @IsString()
  @MinLength(3)
  MAIL_FROM?: string;

  /** Days a sign link stays valid; an unanswered request lapses then. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days between 1 and 365' })
  @Min(1)
  @Max(365)
  SIGN_LINK_DAYS = 30;

  /** Days a manage link (see and withdraw one's consents) stays valid; /me sends a fresh one. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days between 1 and 3650' })
  @Min(1)
  @Max(3650)
  MANAGE_LINK_DAYS = 365;

  /** After a refusal, asking the same person again within this many days needs force + justification. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of days between 0 and 3650' })
  @Min(0)
  @Max(3650)
  REASK_COOLDOWN_DAYS = 180;

  /** Longest validity window a consent may have (no endless consent). */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of months between 1 and 60' })
  @Min(1)
  @Max(60)
  CONSENT_MAX_MONTHS = 60;

  /**
   * The organisation's certificate and key sealing evidence PDFs: a PKCS#12 (.p12/.pfx) file path,
   * or its content in base64. Unset: a self-signed development certificate is generated once
   * under DATA_DIR.
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  PDF_SIGNING_P12?: string;

  /** Passphrase of PDF_SIGNING_P12 (empty when the file has none). */
  @IsOptional()
  @IsString()
  PDF_SIGNING_PASSPHRASE?: string;

  /** Days before validUntil when the person is asked about renewal, e.g. "30,7"; empty for none. */
  @Matches(/^(\d{1,3}(,\d{1,3})*)?$/, { message: 'must be a comma-separated list of whole days, e.g. 30,7' })
  REMINDER_OFFSETS_DAYS = '30,7';

  /** HR addresses that receive the daily digest of consents expiring in the next 30 days. */
  @IsOptional()
  @Matches(/^[^\s@,]+@[^\s@,]+(,\s*[^\s@,]+@[^\s@,]+)*$/, { message: 'must be a comma-separated list of email addresses' })
  HR_NOTIFY_EMAILS?: string;

  /** How often scheduled notifications due soon are handed to the queue (and once at start). */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of minutes between 1 and 1440' })
  @Min(1)
  @Max(1440)
  RECONCILE_EVERY_MINUTES = 10;

  /** Notifications due within this many hours are held in the queue as delayed jobs; later ones only in PostgreSQL. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of hours between 1 and 720' })
  @Min(1)
  @Max(720)
  RECONCILE_HORIZON_HOURS = 48;

  /** Hours marketing has to take a publication down once its asset lost clearance there. */
  @Transform(toInt)
  @IsInt({ message: 'must be a whole number of hours between 1 and 720' })
  @Min(1)
  @Max(720)
  TAKEDOWN_DUE_HOURS = 48;

  /** Marketing addresses that receive the list of publications to take down. */
  @IsOptional()
  @Matches(/^[^\s@,]+@[^\s@,]+(,\s*[^\s@,]+@[^\s@,]+)*$/, { message: 'must be a comma-separated list of email addresses' })
  MARKETING_NOTIFY_EMAILS?: string;

  /** Lets webhooks reach loopback and private addresses (tests, closed networks); false in production. */
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  WEBHOOK_ALLOW_PRIVATE = 'false';
}

export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''),
  );
  const env = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const why = Object.values(error.constraints ?? {}).join('; ');
      return `${error.property}: ${why.replace(`${error.property} `, '')}`;
    });
    throw new Error(`Invalid configuration: ${lines.join(' | ')}`);
  }
  return env;
}
