import { ERROR_CODES, ErrorCode } from 'src/common/errors/error-codes';

export interface FieldProblem {
  field: string;
  problems: string[];
  /** For line-oriented input (CSV): the line the problem is on; the header is line 1. */
  line?: number;
}

/**
 * An expected failure with a stable code. Thrown by services and domain code alike;
 * the global filter turns it into the one JSON error shape.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export class ValidationFailed extends DomainError {
  constructor(details: FieldProblem[]) {
    const fields = details.map((d) => d.field).join(', ');
    super('VALIDATION_FAILED', `Invalid input: ${fields}`, details);
  }

  static field(field: string, problem: string): ValidationFailed {
    return new ValidationFailed([{ field, problems: [problem] }]);
  }
}

export class NotFound extends DomainError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}
