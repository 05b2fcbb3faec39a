import fc from 'fast-check';
import {
  allowedOfMany,
  AssetFacts,
  clearanceOf,
  clearanceOfMany,
  ConsentFacts,
  consentVerdict,
  PersonFacts,
  personReason,
} from 'src/assets/domain/clearance';
import { CHANNELS, Channel, MEDIA_TYPES, MediaType } from 'src/consents/domain/consent-scope';
import { CONSENT_STATUSES, ConsentStatus } from 'src/consents/domain/consent-state';

type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T12:00:00Z');
const d = (days: number) => new Date(T0.getTime() + days * DAY);
/** The same instant as facts hold it (epoch milliseconds). */
const t = (days: number) => T0.getTime() + days * DAY;

/** A consent granted at T0 for website+linkedin, photo+video, valid one year from T0 - 1 day. */
function granted(overrides: Partial<ConsentFacts> = {}): ConsentFacts {
  return {
    id: 'c-1',
    status: 'granted',
    requestedAt: t(-10),
    answeredAt: t(0),
    signDeadline: t(20),
    validFrom: t(-1),
    validUntil: t(365),
    endedAt: null,
    coversAfterEmployment: false,
    channels: ['website', 'linkedin'],
    mediaTypes: ['photo', 'video'],
    decisions: [
      { channel: 'website', decision: 'accepted', withdrawnAt: null },
      { channel: 'linkedin', decision: 'accepted', withdrawnAt: null },
    ],
    ...overrides,
  };
}

function pending(overrides: Partial<ConsentFacts> = {}): ConsentFacts {
  return granted({ status: 'pending', answeredAt: null, decisions: [], ...overrides });
}

const person = (
  consents: ConsentFacts[],
  employmentEndedAt: number | null = null,
  id = 'p-1',
): PersonFacts => ({
  id,
  employmentEndedAt,
  consents,
});
const photoOn = (channel: Channel, at: Date) => ({ mediaType: 'photo' as const, channel, at });

describe('consentVerdict', () => {
  it('covers a granted consent for an accepted channel and media type inside its window', () => {
    expect(consentVerdict(granted(), photoOn('website', d(1)), null)).toEqual({ covers: true });
  });

  it('ignores a consent requested after the instant asked about', () => {
    expect(consentVerdict(granted(), photoOn('website', d(-11)), null)).toBeNull();
  });

  it('says MEDIA_NOT_COVERED before anything else about the consent', () => {
    expect(consentVerdict(granted(), { mediaType: 'voice', channel: 'x', at: d(1) }, null)).toEqual(
      { covers: false, code: 'MEDIA_NOT_COVERED' },
    );
  });

  it('says CHANNEL_NOT_COVERED for a channel never asked for, even when the consent ended', () => {
    const withdrawn = granted({ status: 'withdrawn', endedAt: t(2) });
    expect(consentVerdict(withdrawn, photoOn('print', d(3)), null)).toEqual({
      covers: false,
      code: 'CHANNEL_NOT_COVERED',
    });
  });

  it('says CHANNEL_NOT_COVERED for a channel the person refused while accepting others', () => {
    const partial = granted({
      decisions: [
        { channel: 'website', decision: 'accepted', withdrawnAt: null },
        { channel: 'linkedin', decision: 'refused', withdrawnAt: null },
      ],
    });
    expect(consentVerdict(partial, photoOn('linkedin', d(1)), null)).toEqual({
      covers: false,
      code: 'CHANNEL_NOT_COVERED',
    });
    expect(consentVerdict(partial, photoOn('website', d(1)), null)).toEqual({ covers: true });
  });

  it('says PENDING while unanswered, and nothing once the sign link expired (lapsed)', () => {
    expect(consentVerdict(pending(), photoOn('website', d(1)), null)).toEqual({
      covers: false,
      code: 'PENDING',
      since: d(-10),
    });
    expect(consentVerdict(pending(), photoOn('website', d(20)), null)).toBeNull();
    expect(
      consentVerdict(
        pending({ status: 'lapsed', endedAt: t(20) }),
        photoOn('website', d(21)),
        null,
      ),
    ).toBeNull();
  });

  it('answers PENDING about an instant before a later answer', () => {
    expect(consentVerdict(granted(), photoOn('website', d(-0.5)), null)).toEqual({
      covers: false,
      code: 'PENDING',
      since: d(-10),
    });
    const refused = pending({ status: 'refused', answeredAt: t(0) });
    expect(consentVerdict(refused, photoOn('website', d(-0.5)), null)).toMatchObject({
      code: 'PENDING',
    });
  });

  it('says REFUSED after the request was declined', () => {
    const refused = pending({
      status: 'refused',
      answeredAt: t(0),
      decisions: [
        { channel: 'website', decision: 'refused', withdrawnAt: null },
        { channel: 'linkedin', decision: 'refused', withdrawnAt: null },
      ],
    });
    expect(consentVerdict(refused, photoOn('website', d(1)), null)).toEqual({
      covers: false,
      code: 'REFUSED',
      since: T0,
    });
  });

  it('says WITHDRAWN for a channel withdrawn before the instant, and covers before it', () => {
    const c = granted({
      decisions: [
        { channel: 'website', decision: 'accepted', withdrawnAt: null },
        { channel: 'linkedin', decision: 'accepted', withdrawnAt: t(5) },
      ],
    });
    expect(consentVerdict(c, photoOn('linkedin', d(5)), null)).toEqual({
      covers: false,
      code: 'WITHDRAWN',
      since: d(5),
    });
    expect(consentVerdict(c, photoOn('linkedin', d(4.9)), null)).toEqual({ covers: true });
    expect(consentVerdict(c, photoOn('website', d(6)), null)).toEqual({ covers: true });
  });

  it('says WITHDRAWN for a wholly withdrawn consent from its end on', () => {
    const c = granted({
      status: 'withdrawn',
      endedAt: t(5),
      decisions: [
        { channel: 'website', decision: 'accepted', withdrawnAt: t(5) },
        { channel: 'linkedin', decision: 'accepted', withdrawnAt: t(5) },
      ],
    });
    expect(consentVerdict(c, photoOn('website', d(6)), null)).toEqual({
      covers: false,
      code: 'WITHDRAWN',
      since: d(5),
    });
    expect(consentVerdict(c, photoOn('website', d(4)), null)).toEqual({ covers: true });
  });

  it('says REVOKED from the revocation on', () => {
    const c = granted({ status: 'revoked', endedAt: t(7) });
    expect(consentVerdict(c, photoOn('website', d(7)), null)).toEqual({
      covers: false,
      code: 'REVOKED',
      since: d(7),
    });
    expect(consentVerdict(c, photoOn('website', d(6)), null)).toEqual({ covers: true });
  });

  it('says EXPIRED from validUntil on, whether or not a job recorded it', () => {
    expect(consentVerdict(granted(), photoOn('website', d(365)), null)).toEqual({
      covers: false,
      code: 'EXPIRED',
      since: d(365),
    });
    expect(
      consentVerdict(
        granted({ status: 'expired', endedAt: t(365) }),
        photoOn('website', d(400)),
        null,
      ),
    ).toMatchObject({ code: 'EXPIRED' });
    expect(consentVerdict(granted(), photoOn('website', d(364.9)), null)).toEqual({ covers: true });
  });

  it('treats a superseded consent as ended at its end (its renewal covers from then)', () => {
    const c = granted({ status: 'superseded', endedAt: t(365) });
    expect(consentVerdict(c, photoOn('website', d(365)), null)).toEqual({
      covers: false,
      code: 'EXPIRED',
      since: d(365),
    });
    expect(consentVerdict(c, photoOn('website', d(300)), null)).toEqual({ covers: true });
  });

  it('says NOT_YET_VALID before validFrom', () => {
    const c = granted({ validFrom: t(30) });
    expect(consentVerdict(c, photoOn('website', d(29)), null)).toEqual({
      covers: false,
      code: 'NOT_YET_VALID',
    });
    expect(consentVerdict(c, photoOn('website', d(30)), null)).toEqual({ covers: true });
  });

  it('prefers an end before validFrom over NOT_YET_VALID (withdrawn before it started)', () => {
    const c = granted({ validFrom: t(30), status: 'withdrawn', endedAt: t(2) });
    expect(consentVerdict(c, photoOn('website', d(3)), null)).toEqual({
      covers: false,
      code: 'WITHDRAWN',
      since: d(2),
    });
  });

  it('says REVOKED from the end of employment on when the consent does not survive it, before any job ran', () => {
    expect(consentVerdict(granted(), photoOn('website', d(10)), t(10))).toEqual({
      covers: false,
      code: 'REVOKED',
      since: d(10),
    });
    expect(consentVerdict(granted(), photoOn('website', d(9)), t(10))).toEqual({ covers: true });
    expect(
      consentVerdict(granted({ coversAfterEmployment: true }), photoOn('website', d(11)), t(10)),
    ).toEqual({ covers: true });
  });

  it('names the earliest of several ends', () => {
    const c = granted({
      status: 'revoked',
      endedAt: t(9),
      decisions: [
        { channel: 'website', decision: 'accepted', withdrawnAt: t(4) },
        { channel: 'linkedin', decision: 'accepted', withdrawnAt: null },
      ],
    });
    expect(consentVerdict(c, photoOn('website', d(10)), null)).toMatchObject({
      code: 'WITHDRAWN',
      since: d(4),
    });
    expect(consentVerdict(c, photoOn('linkedin', d(10)), null)).toMatchObject({
      code: 'REVOKED',
      since: d(9),
    });
  });
});

describe('personReason', () => {
  const use = photoOn('website', d(1));

  it('is NO_CONSENT for a person without consents, or with only lapsed requests', () => {
    expect(personReason('p-1', person([]), use)).toEqual({ personId: 'p-1', code: 'NO_CONSENT' });
    expect(personReason('p-1', undefined, use)).toEqual({ personId: 'p-1', code: 'NO_CONSENT' });
    expect(personReason('p-1', person([pending({ signDeadline: t(0.5) })]), use)).toEqual({
      personId: 'p-1',
      code: 'NO_CONSENT',
    });
  });

  it('is covered when any one consent covers', () => {
    expect(
      personReason(
        'p-1',
        person([granted({ id: 'a', status: 'withdrawn', endedAt: t(0) }), granted({ id: 'b' })]),
        use,
      ),
    ).toBeNull();
  });

  it('names the consent that came closest to covering', () => {
    const media = granted({ id: 'm', mediaTypes: ['voice'] });
    const channel = granted({
      id: 'ch',
      channels: ['print'],
      decisions: [{ channel: 'print', decision: 'accepted', withdrawnAt: null }],
    });
    const refused = pending({ id: 'r', status: 'refused', answeredAt: t(-5) });
    const expired = granted({ id: 'e', validUntil: t(0) });
    const asked = pending({ id: 'p' });
    const future = granted({ id: 'f', validFrom: t(3) });
    const ladder = [media, channel, refused, expired, asked, future];
    const expected = [
      'MEDIA_NOT_COVERED',
      'CHANNEL_NOT_COVERED',
      'REFUSED',
      'EXPIRED',
      'PENDING',
      'NOT_YET_VALID',
    ];
    for (let i = 0; i < ladder.length; i += 1) {
      const reason = personReason('p-1', person(ladder.slice(0, i + 1).reverse()), use);
      expect(reason).toMatchObject({ code: expected[i], consentId: ladder[i].id });
    }
  });

  it('among ended consents names the one that covered last', () => {
    const oldWithdrawn = granted({
      id: 'w',
      status: 'withdrawn',
      endedAt: t(-0.5),
      answeredAt: t(-1),
      validFrom: t(-2),
    });
    const justExpired = granted({ id: 'e', validUntil: t(0.5) });
    expect(personReason('p-1', person([oldWithdrawn, justExpired]), use)).toMatchObject({
      code: 'EXPIRED',
      consentId: 'e',
      since: d(0.5),
    });
    expect(
      personReason('p-1', person([justExpired, oldWithdrawn]), photoOn('website', d(0.4))),
    ).toBeNull();
  });

  it('is covered without a gap across a renewal that supersedes at validUntil', () => {
    const old = granted({ id: 'old', status: 'superseded', endedAt: t(365) });
    const renewal = granted({
      id: 'new',
      requestedAt: t(330),
      answeredAt: t(340),
      validFrom: t(365),
      validUntil: t(730),
    });
    for (const at of [d(364.99), d(365), d(366)])
      expect(personReason('p-1', person([old, renewal]), photoOn('website', at))).toBeNull();
  });
});

describe('clearanceOf', () => {
  it('allows an asset with nobody in it on every channel', () => {
    for (const channel of CHANNELS)
      expect(clearanceOf({ mediaType: 'photo', personIds: [] }, channel, T0, new Map())).toEqual({
        allowed: true,
        reasons: [],
      });
  });

  it('blocks a group photo on the channel one person withdrew, and only there', () => {
    const withdrewLinkedin = granted({
      decisions: [
        { channel: 'website', decision: 'accepted', withdrawnAt: null },
        { channel: 'linkedin', decision: 'accepted', withdrawnAt: t(2) },
      ],
    });
    const persons = new Map([
      ['a', person([granted()], null, 'a')],
      ['b', person([withdrewLinkedin], null, 'b')],
      ['c', person([granted()], null, 'c')],
    ]);
    const asset = { mediaType: 'photo' as const, personIds: ['a', 'b', 'c'] };
    expect(clearanceOf(asset, 'linkedin', d(3), persons)).toEqual({
      allowed: false,
      reasons: [{ personId: 'b', code: 'WITHDRAWN', consentId: 'c-1', since: d(2) }],
    });
    expect(clearanceOf(asset, 'website', d(3), persons)).toEqual({ allowed: true, reasons: [] });
    expect(clearanceOf(asset, 'linkedin', d(1), persons).allowed).toBe(true);
  });

  it('gives one reason per uncovered person, in the asset order', () => {
    const persons = new Map([['a', person([granted()], null, 'a')]]);
    const result = clearanceOf(
      { mediaType: 'photo', personIds: ['z', 'a', 'y'] },
      'website',
      d(1),
      persons,
    );
    expect(result.reasons.map((r) => [r.personId, r.code])).toEqual([
      ['z', 'NO_CONSENT'],
      ['y', 'NO_CONSENT'],
    ]);
  });
});

describe('clearanceOfMany', () => {
  /** Consistent lifecycles on a small grid of days, so that dates often coincide. */
  const arbitraryConsent = fc.record({
    id: fc.constantFrom('c1', 'c2', 'c3'),
    status: fc.constantFrom<ConsentStatus>(...CONSENT_STATUSES),
    requested: fc.integer({ min: -20, max: 10 }),
    answerDelay: fc.integer({ min: 0, max: 14 }),
    startOffset: fc.integer({ min: -5, max: 20 }),
    length: fc.integer({ min: 1, max: 40 }),
    endDelay: fc.integer({ min: 0, max: 30 }),
    coversAfterEmployment: fc.boolean(),
    channels: fc.subarray(['website', 'linkedin'] as Channel[], { minLength: 1 }),
    mediaTypes: fc.subarray(['photo', 'video'] as MediaType[], { minLength: 1 }),
    refusedChannel: fc.option(fc.constantFrom<Channel>('website', 'linkedin')),
    withdrawDelay: fc.option(fc.integer({ min: 0, max: 30 })),
  });
  const toFacts = (c: Generated<typeof arbitraryConsent>): ConsentFacts => {
    const answered = !['pending', 'lapsed'].includes(c.status);
    const answeredAt = answered ? t(c.requested + c.answerDelay) : null;
    const validFrom = t(c.requested + c.startOffset);
    const validUntil = t(c.requested + c.startOffset + c.length);
    const accepted =
      c.status === 'refused'
        ? []
        : c.channels.filter((ch) => ch !== c.refusedChannel || c.channels.length === 1);
    const endedAt = (() => {
      if (c.status === 'lapsed') return t(c.requested + 15);
      if (c.status === 'expired' || c.status === 'superseded') return validUntil;
      if (c.status === 'withdrawn' || c.status === 'revoked')
        return t(c.requested + c.answerDelay + c.endDelay);
      return null;
    })();
    return {
      id: c.id,
      status: c.status,
      requestedAt: t(c.requested),
      answeredAt,
      signDeadline: t(c.requested + 15),
      validFrom,
      validUntil,
      endedAt,
      coversAfterEmployment: c.coversAfterEmployment,
      channels: c.channels,
      mediaTypes: c.mediaTypes,
      decisions: answeredAt
        ? c.channels.map((channel) => {
            const isAccepted = accepted.includes(channel);
            const partial =
              isAccepted && c.withdrawDelay !== null && channel === 'linkedin'
                ? t(c.requested + c.answerDelay + c.withdrawDelay)
                : null;
            const withdrawnAt =
              c.status === 'withdrawn' && isAccepted
                ? partial && endedAt && partial < endedAt
                  ? partial
                  : endedAt
                : partial;
            return {
              channel,
              decision: isAccepted ? ('accepted' as const) : ('refused' as const),
              withdrawnAt,
            };
          })
        : [],
    };
  };

  it('answers exactly what clearanceOf answers for each asset, and allowedOfMany the same allowed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arbitraryConsent, { maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        fc.option(fc.integer({ min: -20, max: 40 })),
        fc.array(
          fc.record({
            media: fc.constantFrom(...MEDIA_TYPES),
            people: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
          }),
          { maxLength: 6 },
        ),
        fc.constantFrom<Channel>('website', 'linkedin'),
        fc.integer({ min: -25, max: 60 }),
        (consentsPerPerson, employmentEnd, assetSpecs, channel, atDay) => {
          const persons = new Map<string, PersonFacts>(
            consentsPerPerson.map((consents, i) => [
              `p${i}`,
              person(
                consents.map(toFacts),
                employmentEnd === null ? null : t(employmentEnd),
                `p${i}`,
              ),
            ]),
          );
          const assets: AssetFacts[] = assetSpecs.map((spec, i) => ({
            id: `a${i}`,
            mediaType: spec.media,
            personIds: [...new Set(spec.people.map((n) => `p${n}`))],
          }));
          const many = clearanceOfMany(assets, channel, d(atDay), persons);
          const allowed = allowedOfMany(assets, channel, d(atDay), persons);
          for (const asset of assets) {
            expect(many.get(asset.id)).toEqual(clearanceOf(asset, channel, d(atDay), persons));
            expect(allowed.get(asset.id)).toBe(many.get(asset.id)?.allowed);
          }
        },
      ),
    );
  });

  it('allows exactly when the written rule says a consent covers (an independent oracle)', () => {
    const coversByDefinition = (c: ConsentFacts, at: number, employmentEnd: number | null) => {
      const decision = c.decisions.find((x) => x.channel === 'linkedin');
      return (
        c.answeredAt !== null &&
        c.answeredAt <= at &&
        !['pending', 'refused', 'lapsed'].includes(c.status) &&
        c.mediaTypes.includes('photo') &&
        decision?.decision === 'accepted' &&
        (decision.withdrawnAt === null || decision.withdrawnAt > at) &&
        c.validFrom <= at &&
        at < c.validUntil &&
        (c.endedAt === null || c.endedAt > at) &&
        (c.coversAfterEmployment || employmentEnd === null || at < employmentEnd)
      );
    };
    fc.assert(
      fc.property(
        fc.array(arbitraryConsent, { maxLength: 4 }),
        fc.option(fc.integer({ min: -10, max: 40 })),
        fc.integer({ min: -25, max: 60 }),
        (consents, employmentEnd, atDay) => {
          const facts = consents.map(toFacts);
          const end = employmentEnd === null ? null : t(employmentEnd);
          const result = clearanceOf(
            { mediaType: 'photo', personIds: ['p-1'] },
            'linkedin',
            d(atDay),
            new Map([['p-1', person(facts, end)]]),
          );
          const expected = facts.some((c) => coversByDefinition(c, t(atDay), end));
          expect(result.allowed).toBe(expected);
          if (!expected) expect(result.reasons).toHaveLength(1);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
