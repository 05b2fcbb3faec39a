import { Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { ManualClock } from 'src/common/clock/clock';
import type { AppConfig } from 'src/config/app-config';
import { checkPdfSignatures } from 'src/evidence/domain/pdf-signature';
import { createSelfSignedPkcs12 } from 'src/evidence/domain/signing-credential';
import { PdfSealer, SealingFailed } from 'src/evidence/pdf-sealer';

describe('PdfSealer', () => {
  const now = new Date('2026-03-02T09:30:00Z');
  const seal = (signingTime: Date) => ({
    reason: 'Consent evidence',
    location: 'hr.example.com',
    contactInfo: 'https://hr.example.com',
    signingTime,
  });
  let dataDir: string;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sealer-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function document(): Promise<PDFDocument> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.addPage();
    return doc;
  }

  it('returns a PDF whose single signature covers the whole file, with the organisation as signer', async () => {
    const config = {
      dataDir,
      orgName: 'Acme SAS',
      pdfSigningP12: undefined,
      pdfSigningPassphrase: '',
    } as unknown as AppConfig;
    const sealer = new PdfSealer(config, new ManualClock(now));
    const pdf = await sealer.seal(await document(), seal(now));
    expect(checkPdfSignatures(pdf)).toEqual([
      expect.objectContaining({ intact: true, coversWholeFile: true }),
    ]);
    expect(sealer.certificate).toMatchObject({
      selfSigned: true,
      subject: expect.stringContaining('O=Acme SAS'),
    });
    expect(pdf.toString('latin1')).toContain('/SubFilter /ETSI.CAdES.detached');
  });

  it('refuses to seal with the organisation certificate outside its validity', async () => {
    const p12 = createSelfSignedPkcs12('Acme SAS', 'pw', now).toString('base64');
    const config = {
      dataDir,
      orgName: 'Acme SAS',
      pdfSigningP12: p12,
      pdfSigningPassphrase: 'pw',
    } as unknown as AppConfig;
    const sealer = new PdfSealer(config, new ManualClock(now));
    const later = new Date(now.getTime() + 11 * 365 * 86_400_000);
    await expect(sealer.seal(await document(), seal(later))).rejects.toThrow(SealingFailed);
    await expect(sealer.seal(await document(), seal(now))).resolves.toBeInstanceOf(Buffer);
  });
});
