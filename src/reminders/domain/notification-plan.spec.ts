import { planNotifications, renewalPeriod } from 'src/reminders/domain/notification-plan';

const at = (iso: string) => new Date(iso);

describe('notification plan', () => {
  it('schedules each reminder before validUntil and the expiry at validUntil', () => {
    const plan = planNotifications(at('2027-01-01T00:00:00Z'), at('2029-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'), [30, 7]);
    expect(plan).toEqual([
      { kind: 'reminder', offsetDays: 30, dueAt: at('2028-12-02T00:00:00Z') },
      { kind: 'reminder', offsetDays: 7, dueAt: at('2028-12-25T00:00:00Z') },
      { kind: 'expiry', offsetDays: 0, dueAt: at('2029-01-01T00:00:00Z') },
    ]);
  });

  it('drops reminders that would fall before the grant or the start of a short consent', () => {
    const plan = planNotifications(at('2027-01-01T00:00:00Z'), at('2027-01-20T00:00:00Z'), at('2027-01-05T00:00:00Z'), [30, 7]);
    expect(plan.map((p) => p.offsetDays)).toEqual([7, 0]);
  });

  it('renews for a period of the same length starting at the old end', () => {
    expect(renewalPeriod(at('2027-01-01T00:00:00Z'), at('2029-01-01T00:00:00Z'))).toEqual({
      validFrom: at('2029-01-01T00:00:00Z'),
      validUntil: at('2031-01-01T00:00:00Z'),
    });
  });
});
