/**
 * Queue and job names. Values are frozen: renaming one strands jobs already stored.
 * Later features add their queues here.
 */
export enum QueueName {
  System = 'system',
}

export enum SystemJob {
  /** A no-op round trip through the queue; used by health checks and tests of both backends. */
  Echo = 'echo',
}

export const ALL_QUEUES: QueueName[] = Object.values(QueueName);
