import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConsentHooks } from 'src/consents/consent-hooks';
import { WebhookEvents } from 'src/webhooks/webhook-events.service';

/** Turns consent changes into webhook events, in the transaction of the change. */
@Injectable()
export class WebhookConsentEvents implements OnModuleInit {
  constructor(
    private readonly hooks: ConsentHooks,
    private readonly events: WebhookEvents,
  ) {}

  onModuleInit(): void {
    this.hooks.onGranted((em, { consent, accepted }) =>
      this.events.publish(em, [
        {
          event: 'consent.granted',
          data: {
            consentId: consent.id,
            personId: consent.personId,
            channels: accepted,
            mediaTypes: consent.mediaTypes,
            validFrom: consent.validFrom.toISOString(),
            validUntil: consent.validUntil.toISOString(),
            at: (consent.answeredAt ?? consent.requestedAt).toISOString(),
          },
        },
      ]),
    );
    this.hooks.onCoverageEnded(async (em, { consent, channels, at, cause, withdrawal }) => {
      const base = {
        consentId: consent.id,
        personId: consent.personId,
        channels,
        at: at.toISOString(),
      };
      switch (cause) {
        case 'withdrawn':
          await this.events.publish(em, [
            {
              event: 'consent.withdrawn',
              data: {
                ...base,
                wholeConsent: consent.status === 'withdrawn',
                withdrawalId: withdrawal?.id ?? null,
              },
            },
          ]);
          return;
        case 'expired':
          await this.events.publish(em, [{ event: 'consent.expired', data: base }]);
          return;
        case 'revoked':
        case 'superseded':
          return;
      }
    });
  }
}
