import { QUEUE_RETRY_POLICIES, QueueName } from 'src/queue/queue-names';
import {
  DELIVERY_WINDOW_MS,
  isLastAttempt,
  retryDelayMs,
} from 'src/webhooks/domain/delivery-schedule';

describe('webhook delivery schedule', () => {
  const queued = QUEUE_RETRY_POLICIES[QueueName.Webhooks];
  const policy = { attempts: queued?.attempts ?? 0, firstDelayMs: queued?.backoff.delay ?? 0 };

  it('doubles from 2 s, and the queue policy spends about a day without passing 24 hours', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy))).toEqual([2_000, 4_000, 8_000, 16_000]);
    let elapsed = 0;
    for (let made = 1; made < policy.attempts; made += 1) elapsed += retryDelayMs(made, policy);
    expect(elapsed).toBeLessThanOrEqual(DELIVERY_WINDOW_MS);
    expect(elapsed + retryDelayMs(policy.attempts, policy)).toBeGreaterThan(DELIVERY_WINDOW_MS);
  });

  it('stops after the last attempt, or when the next one would fall past the window', () => {
    const created = new Date('2026-01-01T00:00:00Z');
    expect(isLastAttempt(1, policy, created, created)).toBe(false);
    expect(isLastAttempt(policy.attempts, policy, created, created)).toBe(true);
    expect(
      isLastAttempt(3, policy, created, new Date(created.getTime() + DELIVERY_WINDOW_MS - 1_000)),
    ).toBe(true);
  });
});
