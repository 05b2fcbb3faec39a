import { Module } from '@nestjs/common';
import { ConsentsModule } from 'src/consents/consents.module';
import { WebhookConsentEvents } from 'src/webhooks/webhook-consent-events';
import { WebhookDeliverer } from 'src/webhooks/webhook-deliverer.service';
import { WebhookEvents } from 'src/webhooks/webhook-events.service';
import { WebhookTransport } from 'src/webhooks/webhook-transport';
import { WebhooksController } from 'src/webhooks/webhooks.controller';
import { WebhooksProcessor } from 'src/webhooks/webhooks.processor';
import { WebhooksService } from 'src/webhooks/webhooks.service';

/** Signed event deliveries to staff-registered URLs, written with the event and sent through the queue. */
@Module({
  imports: [ConsentsModule],
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    WebhookEvents,
    WebhookConsentEvents,
    WebhookDeliverer,
    WebhookTransport,
    WebhooksProcessor,
  ],
  exports: [WebhookEvents],
})
export class WebhooksModule {}
