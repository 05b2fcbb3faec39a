import { Injectable, Logger } from '@nestjs/common';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { AppConfig } from 'src/config/app-config';

export type OutgoingMessage = Mail.Options;

/**
 * SMTP when SMTP_URL is set; otherwise each message is written as an .eml file under
 * DATA_DIR/outbox, so the service is usable end to end with nothing but Node.
 */
@Injectable()
export class MailTransport {
  private readonly logger = new Logger('Mail');
  private readonly transporter: Transporter;
  private readonly outboxDir: string | undefined;

  constructor(private readonly config: AppConfig) {
    if (config.smtpUrl) {
      const options: SMTPTransport.Options & { url: string } = { url: config.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000 };
      this.transporter = nodemailer.createTransport(options);
    } else {
      this.outboxDir = path.join(config.dataDir, 'outbox');
      this.transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    }
  }

  get from(): string {
    return this.config.mailFrom;
  }

  /** Sends one message; returns where it went (message id, or the .eml file name). */
  async send(message: OutgoingMessage, fileStem: string): Promise<string> {
    const info = (await this.transporter.sendMail({ from: this.from, ...message })) as { message?: Buffer; messageId: string };
    if (!this.outboxDir) return info.messageId;
    await fs.mkdir(this.outboxDir, { recursive: true });
    const file = path.join(this.outboxDir, `${fileStem}.eml`);
    await fs.writeFile(file, info.message ?? '');
    this.logger.log(`mail written to ${file}`);
    return path.basename(file);
  }
}
