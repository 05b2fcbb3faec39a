import type { ValueTransformer } from 'typeorm';

/** bigint columns read back as numbers: tree sizes stay far below 2^53. */
export const BIGINT_AS_NUMBER: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
