import { Module } from '@nestjs/common';
import { MailProcessor } from 'src/mail/mail.processor';
import { MailSender } from 'src/mail/mail-sender.service';
import { MailService } from 'src/mail/mail.service';
import { MailTransport } from 'src/mail/mail-transport';

@Module({
  providers: [MailService, MailSender, MailTransport, MailProcessor],
  exports: [MailService],
})
export class MailModule {}
