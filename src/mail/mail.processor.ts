import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { MailSender } from 'src/mail/mail-sender.service';
import { MailJob, QueueName } from 'src/queue/queue-names';

@Processor(QueueName.Mail)
export class MailProcessor extends WorkerHost {
  constructor(private readonly sender: MailSender) {
    super();
  }

  async process(job: Job<{ mailId: string }, void, string>): Promise<void> {
    const name = job.name as MailJob;
    switch (name) {
      case MailJob.Send: {
        const maxAttempts = job.opts.attempts ?? 1;
        await this.sender.send(job.data.mailId, job.attemptsMade + 1 >= maxAttempts);
        return;
      }
      default: {
        const unknownName: never = name;
        throw new Error(`unknown job ${String(unknownName)} on ${QueueName.Mail}`);
      }
    }
  }
}
