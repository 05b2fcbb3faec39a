import { monthsBetween } from 'src/consents/domain/consent-scope';

const DAY_MS = 86_400_000;

export interface PlannedNotification {
  kind: 'reminder' | 'expiry';
  offsetDays: number;
  dueAt: Date;
}

/**
 * What to schedule when a consent is granted: a reminder at each offset before validUntil that is
 * still ahead and falls after the grant, and the expiry at validUntil.
 */
export function planNotifications(validFrom: Date, validUntil: Date, grantedAt: Date, offsetsDays: number[]): PlannedNotification[] {
  const reminders = offsetsDays
    .map((days) => ({ kind: 'reminder' as const, offsetDays: days, dueAt: new Date(validUntil.getTime() - days * DAY_MS) }))
    .filter((r) => r.dueAt > grantedAt && r.dueAt > validFrom);
  return [...reminders, { kind: 'expiry', offsetDays: 0, dueAt: validUntil }];
}

/**
 * A renewal asks for the same scope over a new period of the same length, starting when the old
 * ends: the same number of calendar months when the old period was whole months, else the same time.
 */
export function renewalPeriod(validFrom: Date, validUntil: Date): { validFrom: Date; validUntil: Date } {
  const months = monthsBetween(validFrom, validUntil);
  if (months > 0 && addMonths(validFrom, months).getTime() === validUntil.getTime()) {
    return { validFrom: new Date(validUntil), validUntil: addMonths(validUntil, months) };
  }
  return { validFrom: new Date(validUntil), validUntil: new Date(2 * validUntil.getTime() - validFrom.getTime()) };
}

function addMonths(date: Date, months: number): Date {
  const result = new Date(date);
  result.setUTCMonth(result.getUTCMonth() + months);
  return result;
}
