import { ValidateBy, ValidationOptions } from 'class-validator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every element is a UUID. One check for the whole list: IsUUID with `each` costs tens of
 * milliseconds on the 10,000 ids of a bulk clearance.
 */
export function IsUuidList(field: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUuidList',
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.every((item) => typeof item === 'string' && UUID.test(item)),
        defaultMessage: () => `each value in ${field} must be a UUID`,
      },
    },
    options,
  );
}
