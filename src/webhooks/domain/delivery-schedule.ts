/** A delivery is retried for up to 24 hours after it was written, then marked failed. */
export const DELIVERY_WINDOW_MS = 24 * 3_600_000;

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
}

/** Delay before the attempt after `attemptsMade` attempts, as BullMQ's exponential backoff computes it. */
export function retryDelayMs(attemptsMade: number, policy: RetryPolicy): number {
  return policy.firstDelayMs * 2 ** (attemptsMade - 1);
}

/** True when no attempt should follow: the policy's attempts are used up, or the next would fall past the window. */
export function isLastAttempt(
  attemptsMade: number,
  policy: RetryPolicy,
  createdAt: Date,
  now: Date,
): boolean {
  if (attemptsMade >= policy.attempts) return true;
  return (
    now.getTime() + retryDelayMs(attemptsMade, policy) - createdAt.getTime() > DELIVERY_WINDOW_MS
  );
}
