/** Events a webhook can subscribe to. Values are part of the API: add, never rename. */
export const WEBHOOK_EVENTS = [
  'asset.blocked',
  'asset.unblocked',
  'consent.withdrawn',
  'consent.expired',
  'consent.granted',
  'takedown.opened',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** One event to deliver: its data holds ids, codes and dates only. */
export interface WebhookEvent {
  event: WebhookEventName;
  data: Record<string, unknown>;
}
