import { validateSync } from 'class-validator';
import { IsInstant } from 'src/common/http/instant';

class Query {
  @IsInstant()
  at!: unknown;
}

const problemsOf = (at: unknown) => validateSync(Object.assign(new Query(), { at }));

describe('IsInstant', () => {
  it.each(['2026-03-01T09:30:00Z', '2026-03-01T09:30:00.123+02:00', '2026-03-01'])(
    'accepts %s',
    (at) => expect(problemsOf(at)).toEqual([]),
  );

  it.each(['2024-W01-1', '2024-W01', '2026-02-30T00:00:00Z', 'yesterday', '', 42, null])(
    'refuses %j, naming the field',
    (at) =>
      expect(problemsOf(at)[0]?.constraints).toEqual({
        isInstant: 'at must be a valid ISO 8601 date string',
      }),
  );
});
