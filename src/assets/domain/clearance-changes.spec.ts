import { ConsentFacts, PersonFacts } from 'src/assets/domain/clearance';
import { clearanceChanges } from 'src/assets/domain/clearance-changes';

const T0 = new Date('2026-03-01T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
/** The same instant as facts hold it (epoch milliseconds). */
const t = (ms: number) => T0.getTime() + ms;

function consent(overrides: Partial<ConsentFacts> = {}): ConsentFacts {
  return {
    id: 'c',
    status: 'granted',
    requestedAt: t(-10_000),
    answeredAt: t(-5_000),
    signDeadline: t(1e9),
    validFrom: t(-5_000),
    validUntil: t(1e9),
    endedAt: null,
    coversAfterEmployment: false,
    channels: ['website', 'linkedin'],
    mediaTypes: ['photo'],
    decisions: [
      { channel: 'website', decision: 'accepted', withdrawnAt: null },
      { channel: 'linkedin', decision: 'accepted', withdrawnAt: null },
    ],
    ...overrides,
  };
}
const persons = (entries: [string, ConsentFacts[]][]) =>
  new Map<string, PersonFacts>(
    entries.map(([id, consents]) => [id, { id, employmentEndedAt: null, consents }]),
  );

describe('clearanceChanges', () => {
  const group = { id: 'group', mediaType: 'photo' as const, personIds: ['a', 'b'] };
  const solo = { id: 'solo', mediaType: 'photo' as const, personIds: ['a'] };

  it('reports the channels a withdrawal blocks, judged just before and at the withdrawal', () => {
    const b = consent({
      decisions: [
        { channel: 'website', decision: 'accepted', withdrawnAt: null },
        { channel: 'linkedin', decision: 'accepted', withdrawnAt: t(0) },
      ],
    });
    const facts = persons([
      ['a', [consent()]],
      ['b', [b]],
    ]);
    const changes = clearanceChanges(
      { assets: [group, solo], at: at(-1) },
      { assets: [group, solo], at: T0 },
      ['linkedin', 'website'],
      facts,
    );
    expect(changes).toEqual([{ assetId: 'group', blocked: ['linkedin'], unblocked: [] }]);
  });

  it('reports nothing when another consent still covers', () => {
    const withdrawn = consent({ id: 'w', status: 'withdrawn', endedAt: t(0) });
    const facts = persons([
      ['a', [withdrawn, consent({ id: 'other' })]],
      ['b', [consent()]],
    ]);
    expect(
      clearanceChanges(
        { assets: [group], at: at(-1) },
        { assets: [group], at: T0 },
        ['website'],
        facts,
      ),
    ).toEqual([]);
  });

  it('reports what a grant unblocks', () => {
    const granted = consent({ answeredAt: t(0) });
    const facts = persons([['a', [granted]]]);
    expect(
      clearanceChanges(
        { assets: [solo], at: at(-1) },
        { assets: [solo], at: T0 },
        ['website'],
        facts,
      ),
    ).toEqual([{ assetId: 'solo', blocked: [], unblocked: ['website'] }]);
  });

  it('compares two person lists at the same instant', () => {
    const facts = persons([['a', [consent()]]]);
    const withStranger = { ...solo, personIds: ['a', 'stranger'] };
    expect(
      clearanceChanges(
        { assets: [solo], at: T0 },
        { assets: [withStranger], at: T0 },
        ['website', 'linkedin'],
        facts,
      ),
    ).toEqual([{ assetId: 'solo', blocked: ['website', 'linkedin'], unblocked: [] }]);
  });
});
