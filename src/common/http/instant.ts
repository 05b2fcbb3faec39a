import { isISO8601, ValidateBy, ValidationOptions } from 'class-validator';

/**
 * An ISO 8601 date-time the service can compute with: strict (a real calendar date) and one that
 * Date can hold. ISO 8601 also allows forms Date does not parse (week dates such as 2024-W01-1),
 * which would otherwise reach the code as an invalid date.
 */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          isISO8601(value, { strict: true }) &&
          !Number.isNaN(Date.parse(value)),
        defaultMessage: (args) => `${args?.property ?? 'value'} must be a valid ISO 8601 date string`,
      },
    },
    options,
  );
}
