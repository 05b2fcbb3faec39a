import request from 'supertest';
import { JobRelay } from 'src/queue/job-relay.service';
import { linkIn, SmtpSink } from 'test/support/smtp-sink';
import { TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

const DAY_MS = 86_400_000;

export interface CreatedPerson {
  id: string;
  email: string;
  fullName: string;
}

export interface SignedConsent {
  consentId: string;
  /** /m/<token>, from the redirect after signing. */
  managePath: string;
}

export const csrfOf = (html: string): string =>
  /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** The steps of a consent's life, as HR and the employee take them over HTTP. */
export class Journey {
  private people = 0;

  constructor(
    private readonly t: TestApp,
    private readonly smtp: SmtpSink,
    private readonly hrKey: string,
  ) {}

  hr() {
    const auth = `Bearer ${this.hrKey}`;
    return {
      get: (path: string) => request(this.t.http).get(path).set('authorization', auth),
      post: (path: string, body?: object) =>
        request(this.t.http).post(path).set('authorization', auth).send(body),
    };
  }

  async person(overrides: Partial<CreatedPerson> = {}): Promise<CreatedPerson> {
    this.people += 1;
    const tag = `${process.pid}.${Date.now()}.${this.people}`;
    const body = {
      fullName: `Zoé Faultline ${this.people}`,
      email: `zoe.${tag}@example.com`,
      ...overrides,
    };
    const res = await this.hr().post('/v1/persons', body);
    if (res.status !== 201) throw new Error(`person not created: ${res.status} ${res.text}`);
    return res.body as CreatedPerson;
  }

  async requestConsent(
    personId: string,
    channels = ['website', 'linkedin'],
  ): Promise<{ id: string; status: string }> {
    const validFrom = new Date(this.t.clock.now().getTime() - 60_000);
    const res = await this.hr().post('/v1/consents', {
      personId,
      purpose: 'Portraits of the team for the careers page',
      channels,
      mediaTypes: ['photo'],
      validFrom: validFrom.toISOString(),
      validUntil: new Date(validFrom.getTime() + 365 * DAY_MS).toISOString(),
    });
    if (res.status !== 201) throw new Error(`consent not requested: ${res.status} ${res.text}`);
    return res.body as { id: string; status: string };
  }

  /** Hands due mail to the queue and waits for the next one to `email`; returns its /s/ or /m/ path. */
  async linkFromMail(email: string, kind: '/s/' | '/m/', timeoutMs = 15_000): Promise<string> {
    await this.t.app.get(JobRelay).runOnce();
    const mail = await this.smtp.next(email, undefined, timeoutMs);
    return new URL(linkIn(mail, kind)).pathname;
  }

  /** Opens the sign page (a browser with its cookie) and accepts `channels` with the person's name. */
  async sign(
    signPath: string,
    person: CreatedPerson,
    channels = ['website', 'linkedin'],
  ): Promise<SignedConsent> {
    const browser = request.agent(this.t.http);
    const page = await browser.get(signPath);
    if (page.status !== 200) throw new Error(`sign page: ${page.status}`);
    const form = [
      `_csrf=${encodeURIComponent(csrfOf(page.text))}`,
      ...channels.map((channel) => `channels=${channel}`),
      `fullName=${encodeURIComponent(person.fullName)}`,
      'read=yes',
    ].join('&');
    const accepted = await browser.post(`${signPath}/accept`).type('form').send(form);
    if (accepted.status !== 303)
      throw new Error(`accept: ${accepted.status} ${accepted.text.slice(0, 200)}`);
    const location = String(accepted.headers.location);
    return {
      managePath: location.split('?')[0],
      consentId: /consent=([0-9a-f-]{36})/.exec(location)?.[1] ?? '',
    };
  }

  /** A person with a granted consent, signed through the emailed link. */
  async grantedConsent(
    channels = ['website', 'linkedin'],
  ): Promise<SignedConsent & { person: CreatedPerson; signPath: string }> {
    const person = await this.person();
    await this.requestConsent(person.id, channels);
    const signPath = await this.linkFromMail(person.email, '/s/');
    const signed = await this.sign(signPath, person, channels);
    return { ...signed, person, signPath };
  }

  /** Waits until the queue has no due work left (mails of the steps above sent, their tokens made). */
  async settled(): Promise<void> {
    await waitFor(
      async () => {
        const rows = await this.t.dataSource.query<{ n: string }[]>(
          'SELECT count(*) AS n FROM queued_jobs WHERE done_at IS NULL AND run_at <= $1',
          [this.t.clock.now()],
        );
        return Number(rows[0].n) === 0;
      },
      { what: 'due queued jobs to be done' },
    );
  }

  /** Withdraws from the manage page, as the person: confirmation page, then the form post. */
  async withdrawAsPerson(managePath: string, consentId: string, channel?: string): Promise<number> {
    const browser = request.agent(this.t.http);
    const confirm = await browser.get(
      `${managePath}/consents/${consentId}/withdraw${channel ? `?channel=${channel}` : ''}`,
    );
    if (confirm.status !== 200) return confirm.status;
    const form = `_csrf=${encodeURIComponent(csrfOf(confirm.text))}${channel ? `&channel=${channel}` : ''}`;
    return (
      await browser.post(`${managePath}/consents/${consentId}/withdraw`).type('form').send(form)
    ).status;
  }
}
