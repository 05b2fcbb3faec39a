import { canMove, CONSENT_STATUSES, isTerminal, statusAt } from 'src/consents/domain/consent-state';

describe('consent state machine', () => {
  it.each([
    ['pending', 'granted'],
    ['pending', 'refused'],
    ['pending', 'lapsed'],
    ['granted', 'withdrawn'],
    ['granted', 'expired'],
    ['granted', 'superseded'],
    ['granted', 'revoked'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(canMove(from, to)).toBe(true);
  });

  it('allows nothing else, and terminal states never change', () => {
    const allowed = new Set(['pending>granted', 'pending>refused', 'pending>lapsed', 'granted>withdrawn', 'granted>expired', 'granted>superseded', 'granted>revoked']);
    for (const from of CONSENT_STATUSES) {
      for (const to of CONSENT_STATUSES) {
        expect({ move: `${from}>${to}`, ok: canMove(from, to) }).toEqual({ move: `${from}>${to}`, ok: allowed.has(`${from}>${to}`) });
      }
    }
    expect(CONSENT_STATUSES.filter(isTerminal)).toEqual(['refused', 'lapsed', 'withdrawn', 'expired', 'superseded', 'revoked']);
  });

  it('reads lapse and expiry from the dates, whether or not a job recorded them', () => {
    const consent = { signDeadline: new Date('2027-01-31T00:00:00Z'), validUntil: new Date('2029-01-01T00:00:00Z') };
    expect(statusAt({ ...consent, status: 'pending' }, new Date('2027-01-30T23:59:59Z'))).toBe('pending');
    expect(statusAt({ ...consent, status: 'pending' }, new Date('2027-01-31T00:00:00Z'))).toBe('lapsed');
    expect(statusAt({ ...consent, status: 'granted' }, new Date('2028-12-31T23:59:59Z'))).toBe('granted');
    expect(statusAt({ ...consent, status: 'granted' }, new Date('2029-01-01T00:00:00Z'))).toBe('expired');
    expect(statusAt({ ...consent, status: 'withdrawn' }, new Date('2030-01-01T00:00:00Z'))).toBe('withdrawn');
  });
});
