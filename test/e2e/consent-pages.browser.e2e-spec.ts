/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, chromium } from 'playwright-core';
import request from 'supertest';
import { JobRelay } from 'src/queue/job-relay.service';
import { linkIn, SmtpSink } from 'test/support/smtp-sink';
import { startTestApp, TestApp } from 'test/support/test-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DAY = 86_400_000;

/** Sign and withdraw as an employee would, on a phone-sized screen, in Debian's Chromium. */
describe('employee pages in a real browser', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let browser: Browser;
  let base: string;
  let hr: string;
  const shots = process.env.SCREENSHOT_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'consent-pages-'));

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    t = await startTestApp({ env: { SMTP_URL: smtp.url, ORG_NAME: 'Acme SAS' } });
    await t.app.listen(0, '127.0.0.1');
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    hr = await t.keyFor('hr_legal');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t.close();
    await smtp.stop();
  });

  it('signs two of three channels, then withdraws everything in one click and one confirmation', async () => {
    const person = (
      await request(t.http)
        .post('/v1/persons')
        .set('authorization', `Bearer ${hr}`)
        .send({ fullName: 'Françoise Œuvrard', email: 'francoise@example.com' })
        .expect(201)
    ).body;
    const now = Date.now();
    const consent = (
      await request(t.http)
        .post('/v1/consents')
        .set('authorization', `Bearer ${hr}`)
        .send({
          personId: person.id,
          purpose: 'Photos de l’équipe pour la page carrières et LinkedIn',
          channels: ['website', 'linkedin', 'instagram'],
          mediaTypes: ['photo'],
          validFrom: new Date(now - 60_000).toISOString(),
          validUntil: new Date(now + 730 * DAY).toISOString(),
        })
        .expect(201)
    ).body;
    await t.app.get(JobRelay).runOnce();
    const signPath = new URL(linkIn(await smtp.next(person.email, /./), '/s/')).pathname;

    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false, locale: 'fr-FR' });
    const page = await context.newPage();
    await page.goto(base + signPath);
    expect(await page.locator('input[name="channels"]:checked').count()).toBe(0);
    const accept = page.getByRole('button', { name: 'J’accepte pour les canaux cochés'.replace('’', "'") });
    const decline = page.getByRole('button', { name: 'Je refuse' });
    const [a, d] = [await accept.boundingBox(), await decline.boundingBox()];
    await page.locator(".answer").screenshot({ path: path.join(shots, "answer.png") });
    expect(a && d && Math.abs(a.height - d.height)).toBeLessThanOrEqual(2);
    expect(await accept.evaluate((el) => getComputedStyle(el).fontWeight)).toBe(await decline.evaluate((el) => getComputedStyle(el).fontWeight));
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(pageWidth).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(shots, 'sign.png'), fullPage: true });

    await page.getByLabel("Site web de l'entreprise").check();
    await page.getByLabel('LinkedIn').check();
    await page.getByLabel('Votre nom complet, en guise de signature').fill('Françoise Œuvrard');
    await page.getByLabel("J'ai lu le texte de l'autorisation").check();
    await accept.click();
    await page.waitForURL(/\/m\/[A-Za-z0-9_-]{43}\?done=granted/);
    await page.screenshot({ path: path.join(shots, 'granted.png'), fullPage: true });
    let stored = (await request(t.http).get(`/v1/consents/${consent.id}`).set('authorization', `Bearer ${hr}`)).body;
    expect(stored.status).toBe('granted');
    expect(stored.acceptedChannels.sort()).toEqual(['linkedin', 'website']);

    await page.getByRole('link', { name: "Retirer toute l'autorisation" }).click();
    await page.screenshot({ path: path.join(shots, 'withdraw-confirm.png'), fullPage: true });
    await page.getByRole('button', { name: 'Confirmer le retrait' }).click();
    await page.waitForURL(/done=withdrawn/);
    await page.screenshot({ path: path.join(shots, 'withdrawn.png'), fullPage: true });
    stored = (await request(t.http).get(`/v1/consents/${consent.id}`).set('authorization', `Bearer ${hr}`)).body;
    expect(stored.status).toBe('withdrawn');
    await context.close();
  }, 60_000);
});
