import { Module } from '@nestjs/common';
import { ConsentsModule } from 'src/consents/consents.module';
import { MailModule } from 'src/mail/mail.module';
import { ExpiryDigestService } from 'src/reminders/expiry-digest.service';
import { NotificationsController } from 'src/reminders/notifications.controller';
import { NotificationsProcessor } from 'src/reminders/notifications.processor';
import { NotificationsQueries } from 'src/reminders/notifications.queries';
import { NotificationsSchedule } from 'src/reminders/notifications.schedule';
import { RemindersService } from 'src/reminders/reminders.service';

@Module({
  imports: [ConsentsModule, MailModule],
  controllers: [NotificationsController],
  providers: [RemindersService, ExpiryDigestService, NotificationsQueries, NotificationsSchedule, NotificationsProcessor],
})
export class RemindersModule {}
