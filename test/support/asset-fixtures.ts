import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { Consent } from 'src/consents/consent.entity';
import { ConsentsService } from 'src/consents/consents.service';
import type { TestApp } from 'test/support/test-app';

const DAY = 86_400_000;
/** The smallest file a PDF reader accepts as a PDF; enough for a "scan". */
const SCAN = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

export interface ConsentOptions {
  channels?: string[];
  mediaTypes?: string[];
  /** Channels the person accepts on paper (default: all asked); omit the grant with `pending`. */
  accept?: string[];
  validFrom?: Date;
  validUntil?: Date;
  coversAfterEmployment?: boolean;
}

/** Persons, consents and assets through the real HTTP routes (consents granted on paper). */
export class AssetFixtures {
  private seq = 0;

  constructor(
    private readonly t: TestApp,
    private readonly keys: { hr: string; marketing: string },
  ) {}

  as(key: string) {
    return {
      get: (path: string) => request(this.t.http).get(path).set('authorization', `Bearer ${key}`),
      post: (path: string, body?: object) =>
        request(this.t.http).post(path).set('authorization', `Bearer ${key}`).send(body),
      put: (path: string, body?: object) =>
        request(this.t.http).put(path).set('authorization', `Bearer ${key}`).send(body),
      patch: (path: string, body?: object) =>
        request(this.t.http).patch(path).set('authorization', `Bearer ${key}`).send(body),
      delete: (path: string) =>
        request(this.t.http).delete(path).set('authorization', `Bearer ${key}`),
    };
  }

  get hr() {
    return this.as(this.keys.hr);
  }

  get marketing() {
    return this.as(this.keys.marketing);
  }

  async person(): Promise<string> {
    this.seq += 1;
    const res = await this.hr
      .post('/v1/persons', {
        fullName: `Person ${this.seq}`,
        email: `asset-${this.seq}-${randomUUID()}@example.com`,
      })
      .expect(201);
    return (res.body as { id: string }).id;
  }

  async pending(personId: string, options: ConsentOptions = {}): Promise<string> {
    const now = this.t.clock.now().getTime();
    const res = await this.hr
      .post('/v1/consents', {
        personId,
        purpose: 'Photos and videos of the team for company communication',
        channels: options.channels ?? ['website', 'linkedin', 'print'],
        mediaTypes: options.mediaTypes ?? ['photo', 'video'],
        validFrom: (options.validFrom ?? new Date(now - 60_000)).toISOString(),
        validUntil: (options.validUntil ?? new Date(now + 365 * DAY)).toISOString(),
        coversAfterEmployment: options.coversAfterEmployment ?? false,
        force: true,
        justification: 'Test fixture: several requests for one person',
      })
      .expect(201);
    return (res.body as { id: string }).id;
  }

  /** A consent granted on paper now, for `accept` (default: every channel asked). */
  async granted(personId: string, options: ConsentOptions = {}): Promise<string> {
    const id = await this.pending(personId, options);
    await this.grant(id, options.accept ?? options.channels ?? ['website', 'linkedin', 'print']);
    return id;
  }

  async grant(consentId: string, accept: string[]): Promise<void> {
    let req = request(this.t.http)
      .post(`/v1/consents/${consentId}/paper`)
      .set('authorization', `Bearer ${this.keys.hr}`);
    for (const channel of accept) req = req.field('acceptedChannels', channel);
    await req
      .attach('file', SCAN, { filename: 'form.pdf', contentType: 'application/pdf' })
      .expect(201);
  }

  /** The person declines (what the sign page does). */
  async refused(personId: string, options: ConsentOptions = {}): Promise<string> {
    const id = await this.pending(personId, options);
    const consents = this.t.app.get(ConsentsService);
    await this.t.dataSource.transaction(async (em) =>
      consents.decline(em, await em.findOneByOrFail(Consent, { id })),
    );
    return id;
  }

  async withdraw(consentId: string, channels?: string[]): Promise<void> {
    await this.hr
      .post(`/v1/consents/${consentId}/withdraw`, {
        channels,
        reason: 'Letter from the person',
        receivedVia: 'letter',
      })
      .expect(200);
  }

  async asset(personIds: string[], overrides: Record<string, unknown> = {}): Promise<string> {
    this.seq += 1;
    const res = await this.marketing
      .post('/v1/assets', {
        title: `Asset ${this.seq}`,
        mediaType: 'photo',
        externalRef: `dam://${randomUUID()}`,
        personIds,
        ...overrides,
      })
      .expect(201);
    return (res.body as { id: string }).id;
  }

  /** Many assets through the bulk route, 1,000 at a time. */
  async assets(count: number, personIds: (index: number) => string[]): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) => ({
        title: `Bulk ${start + i}`,
        mediaType: 'photo',
        externalRef: `dam://bulk/${randomUUID()}`,
        personIds: personIds(start + i),
      }));
      const res = await this.marketing.post('/v1/assets/bulk', { assets: batch }).expect(201);
      ids.push(...(res.body as { items: { id: string }[] }).items.map((item) => item.id));
    }
    return ids;
  }

  async clearance(assetId: string, channel: string, at?: Date) {
    const query = `channel=${channel}${at ? `&at=${encodeURIComponent(at.toISOString())}` : ''}`;
    const res = await this.marketing.get(`/v1/assets/${assetId}/clearance?${query}`).expect(200);
    return res.body as {
      allowed: boolean;
      reasons: { personId: string; code: string; consentId?: string; since?: string }[];
      at: string;
    };
  }

  count = async (sql: string, params: unknown[] = []): Promise<number> =>
    Number((await this.t.dataSource.query<{ n: string }[]>(sql, params))[0].n);
}
