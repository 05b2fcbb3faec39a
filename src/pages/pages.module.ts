import { Module } from '@nestjs/common';
import { ConsentsModule } from 'src/consents/consents.module';
import { LinkTokensModule } from 'src/link-tokens/link-tokens.module';
import { MailModule } from 'src/mail/mail.module';
import { PageRenderer } from 'src/pages/page-renderer';
import { PersonPagesController } from 'src/pages/person-pages.controller';
import { PersonPagesService } from 'src/pages/person-pages.service';

@Module({
  imports: [ConsentsModule, LinkTokensModule, MailModule],
  controllers: [PersonPagesController],
  providers: [PersonPagesService, PageRenderer],
})
export class PagesModule {}
