import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { Channel, MediaType } from 'src/consents/domain/consent-scope';
import type { ConsentStatus } from 'src/consents/domain/consent-state';

const PURPOSE =
  'Photos and videos of staff for the careers site, the intranet and social media posts.';
/** About the length of a real rendered notice (two pages of evidence). */
const NOTICE =
  `${'Je consens à ce que mon image soit utilisée pour les finalités décrites ci-dessous. '.repeat(40)}`.trim();
const NOTICE_SHA256 = createHash('sha256').update(NOTICE).digest('hex');

/** `count` persons whose emails are <group>-<n>@bench.example; returns nothing, select them by group. */
export async function seedPersons(pool: Pool, group: string, count: number): Promise<void> {
  await pool.query(
    `INSERT INTO persons (id, full_name, email, locale, created_at, updated_at)
     SELECT gen_random_uuid(), 'Bench ' || $1 || ' ' || n, $1 || '-' || n || '@bench.example',
            CASE WHEN n % 4 = 0 THEN 'en' ELSE 'fr' END, now(), now()
     FROM generate_series(1, $2::int) AS n`,
    [group, count],
  );
}

export interface ConsentSeed {
  /** Persons of this group (see seedPersons) get the consents. */
  group: string;
  /** Only persons whose number n satisfies n % modulo = remainder (all when absent). */
  every?: { modulo: number; remainder: number };
  perPerson: number;
  status: ConsentStatus;
  channels: Channel[];
  /** Channels answered yes (granted and ended consents); the others are recorded as refused. */
  accepted: Channel[];
  mediaTypes: MediaType[];
  /** SQL expression evaluated per consent (may use random()), e.g. now() + interval '1 year'. */
  validUntilSql: string;
  /** SQL interval between valid_from and valid_until. */
  validForSql: string;
}

/**
 * Consents in one state, written set-based with their per-channel answers, as the service would
 * have left them (no audit events, mails or notifications: the scenarios that need those make them).
 * Returns how many were written.
 */
export async function seedConsents(pool: Pool, seed: ConsentSeed): Promise<number> {
  const answered = seed.status !== 'pending' && seed.status !== 'lapsed';
  const ended = ['withdrawn', 'expired', 'superseded', 'revoked'].includes(seed.status);
  const every = seed.every ?? { modulo: 1, remainder: 0 };
  const result = await pool.query<{ consents: string; answers: string }>(
    `WITH chosen AS (
       SELECT p.id AS person_id, p.locale, ${seed.validUntilSql} AS valid_until
       FROM persons p CROSS JOIN generate_series(1, $1::int) AS k
       WHERE p.email LIKE $2 || '-%@bench.example'
         AND split_part(split_part(p.email, '@', 1), '-', 2)::int % $3 = $4
     ), consent AS (
       INSERT INTO consents (id, person_id, status, purpose, channels, media_types, territory, excluded_uses,
                             valid_from, valid_until, covers_after_employment, template_key, template_version,
                             locale, notice_text, notice_sha256, requested_at, sign_deadline, answered_at,
                             method, signer_name, ended_at, end_reason)
       SELECT gen_random_uuid(), person_id, $5, $6, $7::text[], $8::text[], ARRAY['worldwide'], '{}',
              valid_until - $9::interval, valid_until, false, 'image-rights', 1,
              locale, $10, $11, valid_until - $9::interval - interval '10 days',
              valid_until - $9::interval + interval '20 days',
              CASE WHEN $12::boolean THEN valid_until - $9::interval - interval '5 days' END,
              CASE WHEN $12::boolean THEN 'email_link' END,
              CASE WHEN $12::boolean THEN 'Bench Signer' END,
              CASE WHEN $13::boolean THEN now() - interval '1 day' END,
              CASE WHEN $13::boolean THEN $5 END
       FROM chosen
       RETURNING id, channels, answered_at, ended_at
     ), answers AS (
       INSERT INTO consent_channels (consent_id, channel, decision, decided_at, withdrawn_at)
       SELECT consent.id, channel,
              CASE WHEN channel = ANY($14::text[]) THEN 'accepted' ELSE 'refused' END,
              consent.answered_at,
              CASE WHEN $15::boolean AND channel = ANY($14::text[]) THEN consent.ended_at END
       FROM consent CROSS JOIN unnest(consent.channels) AS channel
       WHERE $12::boolean
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM consent) AS consents, (SELECT count(*) FROM answers) AS answers`,
    [
      seed.perPerson,
      seed.group,
      every.modulo,
      every.remainder,
      seed.status,
      PURPOSE,
      seed.channels,
      seed.mediaTypes,
      seed.validForSql,
      NOTICE,
      NOTICE_SHA256,
      answered,
      ended,
      seed.accepted,
      seed.status === 'withdrawn',
    ],
  );
  return Number(result.rows[0].consents);
}
