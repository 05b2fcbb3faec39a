import { Module } from '@nestjs/common';
import { AssetBlockingService } from 'src/assets/asset-blocking.service';
import { AssetsController } from 'src/assets/assets.controller';
import { AssetsService } from 'src/assets/assets.service';
import { ClearanceController } from 'src/assets/clearance.controller';
import { ClearanceFactsRepository } from 'src/assets/clearance-facts.repository';
import { ClearanceService } from 'src/assets/clearance.service';
import { PublicationsController } from 'src/assets/publications.controller';
import { PublicationsService } from 'src/assets/publications.service';
import { TakedownNoticeComposer } from 'src/assets/takedown-notice.composer';
import { TakedownsController } from 'src/assets/takedowns.controller';
import { TakedownsService } from 'src/assets/takedowns.service';
import { ConsentsModule } from 'src/consents/consents.module';
import { MailModule } from 'src/mail/mail.module';
import { WebhooksModule } from 'src/webhooks/webhooks.module';

/** Assets, who is in them, clearance, publications and takedowns. */
@Module({
  imports: [ConsentsModule, MailModule, WebhooksModule],
  controllers: [AssetsController, ClearanceController, PublicationsController, TakedownsController],
  providers: [
    AssetsService,
    AssetBlockingService,
    ClearanceFactsRepository,
    ClearanceService,
    PublicationsService,
    TakedownNoticeComposer,
    TakedownsService,
  ],
})
export class AssetsModule {}
