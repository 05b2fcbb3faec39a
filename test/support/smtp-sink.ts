import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from 'test/support/wait';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: { filename?: string; contentType: string; content: Buffer }[];
  raw: Buffer;
}

/** A real SMTP server in the test process; it keeps what it receives. */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** While set, every message is refused with this SMTP reply (an outage seen from the sender). */
  refuseWith: string | undefined;
  private server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (this.refuseWith) {
            callback(Object.assign(new Error(this.refuseWith), { responseCode: 451 }));
            return;
          }
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then((mail: ParsedMail) => {
              this.received.push({
                to: (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address ?? '')),
                subject: mail.subject ?? '',
                text: mail.text ?? '',
                html: typeof mail.html === 'string' ? mail.html : '',
                attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
                raw,
              });
              callback();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
  }

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    const { port } = this.server.server.address() as AddressInfo;
    return `smtp://127.0.0.1:${port}`;
  }

  /** Waits for the next mail to `to` (optionally whose subject matches) not yet taken. */
  async next(to: string, subject?: RegExp, timeoutMs = 15_000): Promise<ReceivedMail> {
    const taken = new Set<ReceivedMail>();
    return waitFor(
      async () => {
        const mail = this.received.find((m) => !taken.has(m) && m.to.includes(to) && (!subject || subject.test(m.subject)));
        if (mail) {
          this.received.splice(this.received.indexOf(mail), 1);
          taken.add(mail);
        }
        return Promise.resolve(mail);
      },
      { timeoutMs, what: `a mail to ${to}${subject ? ` matching ${subject}` : ''}` },
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The first URL in a mail's text that starts with `prefix`. */
export function linkIn(mail: ReceivedMail, pathPrefix: '/s/' | '/m/'): string {
  const match = new RegExp(`https?://[^\\s]+${pathPrefix}[A-Za-z0-9_-]{43}`).exec(mail.text);
  if (!match) throw new Error(`no ${pathPrefix} link in mail "${mail.subject}"`);
  return match[0];
}
