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
