import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import request from 'supertest';
import { ManualClock } from 'src/common/clock/clock';
import { checkPdfSignatures } from 'src/evidence/domain/pdf-signature';
import { PdfSealer, SealingFailed } from 'src/evidence/pdf-sealer';
import { JobRelay } from 'src/queue/job-relay.service';
import { pdfsig, pdfText } from 'test/support/pdf-tools';
import { linkIn, ReceivedMail, SmtpSink } from 'test/support/smtp-sink';
import { startTestApp, TestApp } from 'test/support/test-app';

const DAY = 86_400_000;
const SIGNER = 'Hélène Lefèvre-Françœur';
const PURPOSE = 'Portraits d’équipe pour la page carrières et les publications LinkedIn';

function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** pdftotext breaks lines where the PDF does; compare words, not layout. */
const words = (text: string) => text.replace(/\s+/g, ' ');

describe('signed PDF evidence', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let clock: ManualClock;
  let hr: string;
  let people = 0;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    clock = new ManualClock(new Date('2026-03-02T09:30:00Z'));
    t = await startTestApp({
      clock,
      env: { SMTP_URL: smtp.url, ORG_NAME: 'Acme Société Française' },
    });
    hr = await t.keyFor('hr_legal');
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const api = {
    get: (path: string) => request(t.http).get(path).set('authorization', `Bearer ${hr}`),
    getPdf: (path: string) =>
      request(t.http).get(path).set('authorization', `Bearer ${hr}`).buffer(true).parse(binary),
    post: (path: string, body?: object) =>
      request(t.http).post(path).set('authorization', `Bearer ${hr}`).send(body),
    verify: (pdf: Buffer) =>
      request(t.http)
        .post('/v1/evidence/verify')
        .set('authorization', `Bearer ${hr}`)
        .set('content-type', 'application/pdf')
        .send(pdf),
  };
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  async function newPerson(
    overrides: Record<string, unknown> = {},
  ): Promise<{ id: string; email: string; fullName: string }> {
    people += 1;
    const body = {
      fullName: SIGNER,
      email: `helene.${people}.${Date.now()}@example.com`,
      ...overrides,
    };
    return (await api.post('/v1/persons', body).expect(201)).body;
  }

  async function requestConsent(
    personId: string,
    overrides: Record<string, unknown> = {},
  ): Promise<{ id: string; noticeSha256: string }> {
    const res = await api
      .post('/v1/consents', {
        personId,
        purpose: PURPOSE,
        channels: ['website', 'linkedin', 'instagram'],
        mediaTypes: ['photo', 'video'],
        excludedUses: ['publicité payante'],
        validFrom: clock.now().toISOString(),
        validUntil: new Date(clock.now().getTime() + 730 * DAY).toISOString(),
        ...overrides,
      })
      .expect(201);
    return res.body;
  }

  async function nextMail(to: string): Promise<ReceivedMail> {
    await t.app.get(JobRelay).runOnce();
    return smtp.next(to, /./);
  }

  /** Signs through the emailed link as a browser would; returns the manage page path. */
  async function signByLink(
    person: { email: string; fullName: string },
    channels: string[],
  ): Promise<{ managePath: string; browser: request.Agent }> {
    const signPath = new URL(linkIn(await nextMail(person.email), '/s/')).pathname;
    const browser = request.agent(t.http);
    const page = await browser
      .get(signPath)
      .set('user-agent', 'Mozilla/5.0 (evidence test)')
      .expect(200);
    const form = [
      `_csrf=${encodeURIComponent(csrfOf(page.text))}`,
      ...channels.map((c) => `channels=${c}`),
      `fullName=${encodeURIComponent(person.fullName)}`,
      'read=yes',
    ];
    const accepted = await browser
      .post(`${signPath}/accept`)
      .set('user-agent', 'Mozilla/5.0 (evidence test)')
      .type('form')
      .send(form.join('&'))
      .expect(303);
    return { managePath: accepted.headers.location, browser };
  }

  async function grantedByLink(channels = ['website', 'linkedin']) {
    const person = await newPerson();
    const consent = await requestConsent(person.id);
    const { managePath, browser } = await signByLink(person, channels);
    return { person, consent, managePath, browser };
  }

  async function storedDocuments(
    consentId: string,
  ): Promise<{ id: string; kind: string; sha256: string; pdf: Buffer; audit_seq: string }[]> {
    return t.dataSource.query(
      'SELECT id, kind, sha256, pdf, audit_seq FROM evidence_documents WHERE consent_id = $1 ORDER BY created_at, id',
      [consentId],
    );
  }

  it('seals the grant with the consent text, the signer, the channels, the notice hash and its audit references', async () => {
    const { consent } = await grantedByLink();
    const res = await api.getPdf(`/v1/consents/${consent.id}/document`).expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="preuve-consentement-2026-03-02-${consent.id.slice(0, 8)}.pdf"`,
    );
    const pdf = res.body as Buffer;

    const [stored] = await storedDocuments(consent.id);
    expect(stored.kind).toBe('grant');
    expect(stored.sha256).toBe(sha256(pdf));
    expect(Buffer.compare(stored.pdf, pdf)).toBe(0);
    expect(res.headers['repr-digest']).toBe(
      `sha-256=:${Buffer.from(stored.sha256, 'hex').toString('base64')}:`,
    );

    const [sealed] = await t.dataSource.query('SELECT canonical FROM audit_events WHERE seq = $1', [
      stored.audit_seq,
    ]);
    expect(JSON.parse(sealed.canonical.toString())).toMatchObject({
      action: 'evidence.sealed',
      consentId: consent.id,
      data: { documentId: stored.id, kind: 'grant', sha256: stored.sha256 },
    });
    const [granted] = await t.dataSource.query(
      "SELECT seq, encode(leaf_hash, 'hex') AS leaf FROM audit_events WHERE consent_id = $1 AND action = 'consent.granted'",
      [consent.id],
    );

    const text = words(await pdfText(pdf));
    expect(text).toContain(PURPOSE);
    expect(text).toContain("Site web de l'entreprise");
    expect(text).toContain('LinkedIn');
    expect(text).toMatch(/Canaux refusés Instagram/);
    expect(text).toContain(SIGNER);
    expect(text).toContain('Acme Société Française');
    expect(text).toContain(consent.noticeSha256);
    expect(text).toContain('publicité payante');
    expect(text).toContain('Mozilla/5.0 (evidence test)');
    expect(text).toContain('2026-03-02 09:30:00 UTC');
    expect(text).toMatch(/2 mars 2026 à 10:30:00 UTC\+1/);
    expect(text).toContain(`feuille d'index ${granted.seq}, empreinte de feuille ${granted.leaf}`);
    expect(text).toContain('Lien de signature ouvert');
    expect(text).toContain('E-mail envoyé (demande de signature)');
    expect(text).toContain('Vous pouvez retirer votre autorisation à tout moment');
    const pages = (await PDFDocument.load(pdf)).getPageCount();
    expect(pages).toBeGreaterThanOrEqual(2);
    for (let page = 1; page <= pages; page += 1)
      expect(text).toContain(`Page ${page} sur ${pages}`);
    expect(pdf.length).toBeLessThan(150 * 1024);
  });

  it('puts a PAdES signature over the whole file that pdfsig and the service verify, and that one flipped byte breaks', async () => {
    const { consent } = await grantedByLink(['website']);
    const pdf = (await api.getPdf(`/v1/consents/${consent.id}/document`).expect(200))
      .body as Buffer;

    const [check] = checkPdfSignatures(pdf);
    expect(check.byteRange[0]).toBe(0);
    expect(check.byteRange[2] + check.byteRange[3]).toBe(pdf.length);
    expect(check).toMatchObject({ coversWholeFile: true, intact: true, problem: null });
    const report = await pdfsig(pdf);
    expect(report).toMatchObject({
      signatures: 1,
      valid: true,
      totalDocumentSigned: true,
      subFilter: 'ETSI.CAdES.detached',
    });
    expect(report.output).toContain('Acme Société Française');

    // One byte of page content, outside the signature value.
    const flipped = Buffer.from(pdf);
    flipped[check.byteRange[2] + 200] ^= 0x01;
    expect(checkPdfSignatures(flipped)[0]).toMatchObject({
      intact: false,
      problem: 'the document was modified after it was signed',
    });
    const broken = await pdfsig(flipped);
    expect(broken.valid).toBe(false);
    expect(broken.output).toMatch(/Signature Validation: (Digest Mismatch|Signature is Invalid)/);
  });

  it('attaches the sealed PDF to the confirmation email and offers it on the confirmation and manage pages', async () => {
    const { person, consent, managePath, browser } = await grantedByLink();
    const confirmation = await nextMail(person.email);
    expect(confirmation.attachments).toHaveLength(1);
    const [attachment] = confirmation.attachments;
    expect(attachment.contentType).toBe('application/pdf');
    expect(attachment.filename).toMatch(/^preuve-consentement-2026-03-02-[0-9a-f]{8}\.pdf$/);
    const [stored] = await storedDocuments(consent.id);
    expect(sha256(attachment.content)).toBe(stored.sha256);

    const page = await browser.get(managePath).expect(200);
    const link = `${managePath.split('?')[0]}/consents/${consent.id}/documents/${stored.id}.pdf`;
    expect(page.text).toContain(`href="${link}"`);
    expect(page.text).toContain('Télécharger la preuve signée (PDF)');
    const download = await request(t.http).get(link).buffer(true).parse(binary).expect(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toMatch(
      /^attachment; filename="preuve-consentement-/,
    );
    expect(sha256(download.body as Buffer)).toBe(stored.sha256);

    const other = await grantedByLink();
    const otherLink = `${other.managePath.split('?')[0]}/consents/${consent.id}/documents/${stored.id}.pdf`;
    await request(t.http).get(otherLink).expect(404);
    await request(t.http)
      .get(`${managePath.split('?')[0]}/consents/${consent.id}/documents/${other.consent.id}.pdf`)
      .expect(404);
  });

  it('offers the withdrawal receipt on the page confirming a withdrawal made from the manage link', async () => {
    const { person, consent, managePath, browser } = await grantedByLink();
    await nextMail(person.email);
    const base = managePath.split('?')[0];
    const confirm = await browser
      .get(`${base}/consents/${consent.id}/withdraw?channel=linkedin`)
      .expect(200);
    const done = await browser
      .post(`${base}/consents/${consent.id}/withdraw`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfOf(confirm.text))}&channel=linkedin`)
      .expect(303);
    expect(done.headers.location).toBe(`${base}?done=withdrawn&consent=${consent.id}`);
    const page = await browser.get(done.headers.location).expect(200);
    const receipt = (await storedDocuments(consent.id)).find((d) => d.kind === 'withdrawal');
    expect(page.text).toContain(
      `<a href="${base}/consents/${consent.id}/documents/${receipt?.id}.pdf">Télécharger le reçu de retrait (PDF)</a>`,
    );
    const text = words(await pdfText(receipt?.pdf ?? Buffer.alloc(0)));
    expect(text).toContain('en ligne, depuis le lien personnel de la personne');
    expect(text).toContain('la personne elle-même');
  });

  it('recognises an issued PDF, and tells a modified copy of it apart', async () => {
    const { consent } = await grantedByLink();
    const pdf = (await api.getPdf(`/v1/consents/${consent.id}/document`).expect(200))
      .body as Buffer;
    const [stored] = await storedDocuments(consent.id);

    const authentic = await api.verify(pdf).expect(200);
    expect(authentic.body).toMatchObject({
      verdict: 'authentic',
      issued: true,
      sha256: stored.sha256,
      document: { id: stored.id, kind: 'grant', consentId: consent.id },
      signature: {
        present: true,
        intact: true,
        coversWholeFile: true,
        signedByUs: true,
        problem: null,
      },
    });

    const modified = Buffer.from(pdf);
    const [check] = checkPdfSignatures(pdf);
    modified[check.byteRange[2] + 300] ^= 0x20;
    const altered = await api.verify(modified).expect(200);
    expect(altered.body).toMatchObject({
      verdict: 'altered',
      issued: false,
      document: { id: stored.id, consentId: consent.id },
      signature: { present: true, intact: false, signedByUs: true },
    });

    const appended = Buffer.concat([pdf, Buffer.from('\n% added after signing\n')]);
    expect((await api.verify(appended).expect(200)).body).toMatchObject({
      verdict: 'altered',
      signature: { intact: true, coversWholeFile: false },
    });

    const foreign = Buffer.from(await (await PDFDocument.create()).save());
    expect((await api.verify(foreign).expect(200)).body).toMatchObject({
      verdict: 'unknown',
      issued: false,
      document: null,
      signature: { present: false },
    });
    await api.verify(Buffer.from('not a pdf')).expect(400);
    const wrongType = await request(t.http)
      .post('/v1/evidence/verify')
      .set('authorization', `Bearer ${hr}`)
      .set('content-type', 'text/plain')
      .send('x');
    expect(wrongType.status).toBe(415);
  });

  it('issues a sealed receipt for each withdrawal, per channel then whole, attached to the confirmation', async () => {
    const person = await newPerson({ fullName: 'Zoë Brontë', locale: 'en' });
    const consent = await requestConsent(person.id, { locale: 'en' });
    await signByLink(person, ['website', 'linkedin']);
    await nextMail(person.email);

    clock.advance(DAY);
    await api
      .post(`/v1/consents/${consent.id}/withdraw`, {
        channels: ['linkedin'],
        receivedVia: 'letter',
        reason: 'Letter received on 3 March',
      })
      .expect(200);
    const partial = (await api.getPdf(`/v1/consents/${consent.id}/withdrawal-receipt`).expect(200))
      .body as Buffer;
    const partialText = words(await pdfText(partial));
    expect(partialText).toContain('Receipt for the withdrawal');
    expect(partialText).toContain('Zoë Brontë');
    expect(partialText).toMatch(/Channels withdrawn LinkedIn/);
    expect(partialText).toMatch(/Channels still accepted Company website/);
    expect(partialText).toContain('by letter, recorded by HR');
    expect(partialText).toMatch(
      /Withdrawal event: audit log leaf index \d+, leaf hash [0-9a-f]{64}/,
    );
    expect(await pdfsig(partial)).toMatchObject({ valid: true, totalDocumentSigned: true });
    const mail = await nextMail(person.email);
    expect(mail.attachments.map((a) => a.filename)).toEqual([
      expect.stringMatching(/^withdrawal-receipt-2026-03-03-/),
    ]);
    expect(sha256(mail.attachments[0].content)).toBe(sha256(partial));

    clock.advance(DAY);
    await api
      .post(`/v1/consents/${consent.id}/withdraw`, {
        receivedVia: 'email',
        reason: 'Email of 4 March',
      })
      .expect(200);
    const whole = (await api.getPdf(`/v1/consents/${consent.id}/withdrawal-receipt`).expect(200))
      .body as Buffer;
    expect(words(await pdfText(whole))).toContain('the whole consent is withdrawn');

    const detail = (await api.get(`/v1/consents/${consent.id}`).expect(200)).body;
    const first = detail.withdrawals[0].id;
    const again = (
      await api
        .getPdf(`/v1/consents/${consent.id}/withdrawal-receipt?withdrawalId=${first}`)
        .expect(200)
    ).body as Buffer;
    expect(sha256(again)).toBe(sha256(partial));
    await api
      .get(`/v1/consents/${consent.id}/withdrawal-receipt?withdrawalId=${consent.id}`)
      .expect(404);
    await api.get(`/v1/consents/${consent.id}/withdrawal-receipt?withdrawalId=nope`).expect(400);

    const kinds = (await storedDocuments(consent.id)).map((d) => d.kind);
    expect(kinds).toEqual(['grant', 'withdrawal', 'withdrawal']);
    clock.advance(-2 * DAY);
  });

  it('answers the machine-readable receipt with TS 27560 / Kantara field names', async () => {
    const { consent } = await grantedByLink();
    const receipt = (await api.get(`/v1/consents/${consent.id}/receipt.json`).expect(200)).body;
    const [stored] = await storedDocuments(consent.id);
    expect(receipt).toMatchObject({
      schemaVersion: 'consent-ledger-receipt/1',
      recordId: consent.id,
      piiControllers: [{ piiController: 'Acme Société Française' }],
      language: 'fr',
      status: 'granted',
      collectionMethod: expect.stringContaining('emailed single-use link'),
      notice: {
        templateKey: 'image-rights',
        version: 1,
        language: 'fr',
        hashAlgorithm: 'SHA-256',
        hash: consent.noticeSha256,
      },
      purposes: [
        { purpose: PURPOSE, consentType: 'EXPLICIT', piiCategory: ['image:photo', 'image:video'] },
      ],
      channels: {
        requested: ['website', 'linkedin', 'instagram'],
        accepted: ['website', 'linkedin'],
        refused: ['instagram'],
        withdrawn: [],
      },
      media: ['photo', 'video'],
      territory: ['worldwide'],
      method: {
        type: 'email_link',
        signLinkSentTo: expect.stringMatching(/@example\.com$/),
        scanSha256: null,
      },
      withdrawalMethod: expect.stringContaining('/me'),
      evidence: [
        {
          documentId: stored.id,
          kind: 'grant',
          sha256: stored.sha256,
          url: `/v1/consents/${consent.id}/document`,
        },
      ],
    });
    expect(receipt.events.map((e: { eventType: string }) => e.eventType)).toEqual(
      expect.arrayContaining([
        'consent.requested',
        'email.sent',
        'consent.link_opened',
        'consent.granted',
        'evidence.sealed',
      ]),
    );
    expect(
      receipt.events.find((e: { eventType: string }) => e.eventType === 'consent.granted'),
    ).toMatchObject({
      eventState: 'given',
      auditSeq: expect.any(Number),
      leafHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await api.get('/v1/consents/00000000-0000-4000-8000-000000000000/receipt.json').expect(404);
  });

  it('keeps the paper scan and seals a cover that references its hash', async () => {
    const person = await newPerson({ fullName: 'Łukasz Dvořák-Þórsson Weiß Ångström' });
    const consent = await requestConsent(person.id);
    await nextMail(person.email);
    const scan = Buffer.from(await (await PDFDocument.create()).save());
    await request(t.http)
      .post(`/v1/consents/${consent.id}/paper`)
      .set('authorization', `Bearer ${hr}`)
      .attach('file', scan, { filename: 'scan.pdf', contentType: 'application/pdf' })
      .field('acceptedChannels', 'website,instagram')
      .expect(201);
    const res = await api.getPdf(`/v1/consents/${consent.id}/document`).expect(200);
    expect(res.headers['content-disposition']).toMatch(/filename="preuve-consentement-papier-/);
    const text = words(await pdfText(res.body as Buffer));
    expect(text).toContain('consentement sur papier');
    expect(text).toContain('Łukasz Dvořák-Þórsson Weiß Ångström');
    expect(text).toContain(sha256(scan));
    expect(text).toContain('Instagram');
    expect(await pdfsig(res.body as Buffer)).toMatchObject({
      valid: true,
      totalDocumentSigned: true,
    });
    expect((await storedDocuments(consent.id)).map((d) => d.kind)).toEqual(['paper_cover']);
    const [kept] = await t.dataSource.query(
      'SELECT sha256 FROM consent_paper_scans WHERE consent_id = $1',
      [consent.id],
    );
    expect(kept.sha256).toBe(sha256(scan));
  });

  it('fails the grant loudly and stores nothing when sealing fails', async () => {
    const person = await newPerson();
    const consent = await requestConsent(person.id);
    const sealer = t.app.get(PdfSealer);
    const seal = jest.spyOn(sealer, 'seal').mockRejectedValueOnce(new SealingFailed('no key'));
    try {
      const signPath = new URL(linkIn(await nextMail(person.email), '/s/')).pathname;
      const browser = request.agent(t.http);
      const page = await browser.get(signPath).expect(200);
      await browser
        .post(`${signPath}/accept`)
        .type('form')
        .send(
          `_csrf=${encodeURIComponent(csrfOf(page.text))}&channels=website&fullName=${encodeURIComponent(person.fullName)}&read=yes`,
        )
        .expect(500);
      expect(seal).toHaveBeenCalledTimes(1);
      const detail = (await api.get(`/v1/consents/${consent.id}`).expect(200)).body;
      expect(detail.status).toBe('pending');
      expect(detail.history.map((h: { action: string }) => h.action)).not.toContain(
        'consent.granted',
      );
      expect(await storedDocuments(consent.id)).toEqual([]);
      await api.get(`/v1/consents/${consent.id}/document`).expect(404);

      // The link was not used up: the person can sign once sealing works again.
      const retry = await browser.get(signPath).expect(200);
      await browser
        .post(`${signPath}/accept`)
        .type('form')
        .send(
          `_csrf=${encodeURIComponent(csrfOf(retry.text))}&channels=website&fullName=${encodeURIComponent(person.fullName)}&read=yes`,
        )
        .expect(303);
      expect((await storedDocuments(consent.id)).map((d) => d.kind)).toEqual(['grant']);
    } finally {
      seal.mockRestore();
    }
  });

  it('keeps issued documents append-only', async () => {
    const { consent } = await grantedByLink(['website']);
    const [stored] = await storedDocuments(consent.id);
    await expect(
      t.dataSource.query("UPDATE evidence_documents SET sha256 = repeat('0', 64) WHERE id = $1", [
        stored.id,
      ]),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.dataSource.query('DELETE FROM evidence_documents WHERE id = $1', [stored.id]),
    ).rejects.toThrow(/append-only/);
  });

  it('answers 404 for the evidence of a consent not granted, and refuses other roles', async () => {
    const person = await newPerson();
    const consent = await requestConsent(person.id);
    await nextMail(person.email);
    const missing = await api.get(`/v1/consents/${consent.id}/document`).expect(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    await api.get(`/v1/consents/${consent.id}/withdrawal-receipt`).expect(404);
    const marketing = await t.keyFor('marketing');
    await request(t.http)
      .get(`/v1/consents/${consent.id}/document`)
      .set('authorization', `Bearer ${marketing}`)
      .expect(403);
  });
});
