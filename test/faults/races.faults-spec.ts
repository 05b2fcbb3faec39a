import { setTimeout } from 'node:timers/promises';
import request from 'supertest';
import type { Response } from 'supertest';
import { ManualClock } from 'src/common/clock/clock';
import { AssetFixtures } from 'test/support/asset-fixtures';
import { csrfOf, Journey } from 'test/support/journey';
import { SmtpSink } from 'test/support/smtp-sink';
import { startTestApp, TestApp } from 'test/support/test-app';
import { staleClearanceFacts } from 'test/support/clearance-facts';

/** Rounds per race: each is a fresh consent, so the interleavings differ from round to round. */
const ROUNDS = 8;

describe('races: concurrent answers, withdrawals and publications', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let journey: Journey;
  let fixtures: AssetFixtures;
  let races = 0;
  const tally: Record<string, number> = {};
  const note = (outcome: string) => (tally[outcome] = (tally[outcome] ?? 0) + 1);
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    t = await startTestApp({ clock, env: { SMTP_URL: smtp.url } });
    const hr = await t.keyFor('hr_legal');
    journey = new Journey(t, smtp, hr);
    fixtures = new AssetFixtures(t, { hr, marketing: await t.keyFor('marketing') });
  }, 60_000);
  afterAll(async () => {
    process.stdout.write(`races: ${races} run, outcomes ${JSON.stringify(tally)}\n`);
    await t.close();
    await smtp.stop();
  });

  const count = (sql: string, params: unknown[]) => fixtures.count(sql, params);
  const events = (consentId: string, action: string) =>
    count('SELECT count(*) AS n FROM audit_events WHERE consent_id = $1 AND action = $2', [
      consentId,
      action,
    ]);

  /** A pending consent, its sign page open in one browser: the form can then be sent several times. */
  async function openSignForm() {
    const person = await journey.person();
    const consent = await journey.requestConsent(person.id, ['website', 'linkedin']);
    const signPath = await journey.linkFromMail(person.email, '/s/');
    const browser = request.agent(t.http);
    const csrf = encodeURIComponent(csrfOf((await browser.get(signPath).expect(200)).text));
    return {
      consentId: consent.id,
      accept: () =>
        browser
          .post(`${signPath}/accept`)
          .type('form')
          .send(
            `_csrf=${csrf}&channels=website&fullName=${encodeURIComponent(person.fullName)}&read=yes`,
          ),
      decline: () => browser.post(`${signPath}/decline`).type('form').send(`_csrf=${csrf}`),
    };
  }

  const isRefusedAnswer = (response: Response) =>
    response.status === 409 || response.status === 410;

  it('lets exactly one of an accept and a decline of the same link win; the other is refused', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const form = await openSignForm();
      const [accepted, declined] = await Promise.all([form.accept(), form.decline()]);
      races += 1;
      const acceptWon = accepted.status === 303;
      const declineWon = declined.status === 200;
      note(
        `${acceptWon ? 'accept' : 'decline'} won, the other got ${acceptWon ? declined.status : accepted.status}`,
      );
      expect([round, acceptWon !== declineWon]).toEqual([round, true]);
      expect(isRefusedAnswer(acceptWon ? declined : accepted)).toBe(true);
      const status = (await journey.hr().get(`/v1/consents/${form.consentId}`).expect(200)).body
        .status;
      expect(status).toBe(acceptWon ? 'granted' : 'refused');
      expect([
        await events(form.consentId, 'consent.granted'),
        await events(form.consentId, 'consent.refused'),
      ]).toEqual(acceptWon ? [1, 0] : [0, 1]);
      expect(
        await count(
          "SELECT count(*) AS n FROM evidence_documents WHERE consent_id = $1 AND kind = 'grant'",
          [form.consentId],
        ),
      ).toBe(acceptWon ? 1 : 0);
    }
  }, 90_000);

  it('records a form sent three times at once as one answer', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const form = await openSignForm();
      const answers = await Promise.all([form.accept(), form.accept(), form.accept()]);
      races += 1;
      expect(answers.filter((answer) => answer.status === 303)).toHaveLength(1);
      expect(answers.filter(isRefusedAnswer)).toHaveLength(2);
      expect(await events(form.consentId, 'consent.granted')).toBe(1);
      expect(
        await count('SELECT count(*) AS n FROM consent_channels WHERE consent_id = $1', [
          form.consentId,
        ]),
      ).toBe(2);
      expect(
        await count("SELECT count(*) AS n FROM mails WHERE consent_id = $1 AND kind = 'granted'", [
          form.consentId,
        ]),
      ).toBe(1);
    }
  }, 90_000);

  it('records two identical withdrawals at once as one, and two different ones as both', async () => {
    for (let round = 0; round < ROUNDS / 2; round += 1) {
      const same = await journey.grantedConsent(['website', 'linkedin', 'instagram']);
      const [byPerson, byHr] = await Promise.all([
        journey.withdrawAsPerson(same.managePath, same.consentId, 'linkedin'),
        fixtures.hr
          .post(`/v1/consents/${same.consentId}/withdraw`, {
            channels: ['linkedin'],
            reason: 'Letter received',
            receivedVia: 'letter',
          })
          .then((r) => r.status),
      ]);
      races += 1;
      expect([byPerson === 303, byHr === 200].filter(Boolean)).toHaveLength(1);
      expect(byPerson === 303 ? byHr : byPerson).toBe(409);
      expect(
        await count('SELECT count(*) AS n FROM consent_withdrawals WHERE consent_id = $1', [
          same.consentId,
        ]),
      ).toBe(1);
      expect(await events(same.consentId, 'consent.withdrawn')).toBe(1);

      const different = await journey.grantedConsent(['website', 'linkedin']);
      const both = await Promise.all([
        journey.withdrawAsPerson(different.managePath, different.consentId, 'website'),
        fixtures.hr
          .post(`/v1/consents/${different.consentId}/withdraw`, {
            channels: ['linkedin'],
            reason: 'Letter received',
            receivedVia: 'letter',
          })
          .then((r) => r.status),
      ]);
      races += 1;
      expect(both).toEqual([303, 200]);
      const detail = (await journey.hr().get(`/v1/consents/${different.consentId}`).expect(200))
        .body;
      expect(detail.status).toBe('withdrawn');
      expect(detail.acceptedChannels).toEqual([]);
      expect(detail.withdrawals).toHaveLength(2);
    }
  }, 90_000);

  it('never leaves a publication live on a withdrawn consent without a takedown, whichever of the two commits first', async () => {
    const outcomes = { publishedThenTakenDown: 0, refused: 0 };
    for (let round = 0; round < ROUNDS; round += 1) {
      const person = await fixtures.person();
      const consentId = await fixtures.granted(person, { channels: ['website'] });
      const assetId = await fixtures.asset([person]);
      // The test clock stands still: let the grant lie in the past, as it would.
      clock.advance(1_000);
      // The publication is the quicker of the two: hold it back a little in some rounds so that
      // either may take the audit lock first.
      const [published, withdrawn] = await Promise.all([
        setTimeout((round % 4) * 15).then(() =>
          fixtures.marketing.post(`/v1/assets/${assetId}/publications`, {
            channel: 'website',
            location: `https://example.com/${round}`,
          }),
        ),
        fixtures.hr.post(`/v1/consents/${consentId}/withdraw`, {
          reason: 'Letter received',
          receivedVia: 'letter',
        }),
      ]);
      races += 1;
      expect(withdrawn.status).toBe(200);
      expect((await fixtures.clearance(assetId, 'website')).allowed).toBe(false);
      const live = await count(
        'SELECT count(*) AS n FROM publications WHERE asset_id = $1 AND removed_at IS NULL',
        [assetId],
      );
      const openTakedowns = await count(
        'SELECT count(*) AS n FROM takedowns WHERE asset_id = $1 AND completed_at IS NULL',
        [assetId],
      );
      note(published.status === 201 ? 'publication first' : 'withdrawal first');
      if (published.status === 201) {
        outcomes.publishedThenTakenDown += 1;
        expect([live, openTakedowns]).toEqual([1, 1]);
      } else {
        outcomes.refused += 1;
        expect([published.status, published.body.code, live, openTakedowns]).toEqual([
          409,
          'ASSET_NOT_CLEARED',
          0,
          0,
        ]);
      }
    }
    expect(outcomes.publishedThenTakenDown + outcomes.refused).toBe(ROUNDS);
  }, 120_000);

  it('leaves every person\'s clearance facts as a recomputation from the consents gives them', async () => {
    const persons = await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM persons');
    expect(Number(persons[0].n)).toBeGreaterThan(0);
    expect(await staleClearanceFacts(t.dataSource)).toEqual([]);
  });
});
