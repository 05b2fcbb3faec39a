import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailed } from 'src/common/errors/domain-error';

/** A path parameter that must be a UUID; a bad one is a 400 naming the parameter. */
export function uuidPipe(field: string): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => ValidationFailed.field(field, `${field} must be a UUID`) });
}
