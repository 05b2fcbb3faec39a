import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { PDFDocument } from 'pdf-lib';
import { CmsSigner } from 'src/evidence/cms-signer';
import { readElement } from 'src/evidence/domain/der';
import { checkPdfSignatures } from 'src/evidence/domain/pdf-signature';
import { createSelfSignedPkcs12, readPkcs12 } from 'src/evidence/domain/signing-credential';

describe('CmsSigner with @signpdf', () => {
  const credential = readPkcs12(createSelfSignedPkcs12('Acme', 'pw', new Date()), 'pw');
  const signer = new CmsSigner(credential);

  async function signedPdf(): Promise<Buffer> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.addPage().drawText('Evidence');
    pdflibAddPlaceholder({
      pdfDoc: doc,
      reason: 'Consent evidence grant 6f1c2d3e-0000-4000-8000-000000000001 for consent x',
      contactInfo: 'hr@example.com',
      name: 'Acme',
      location: 'Paris',
      signingTime: new Date('2026-03-02T09:30:00Z'),
      signatureLength: 2 * signer.maxSignatureBytes,
      subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    });
    return new SignPdf().sign(Buffer.from(await doc.save()), signer);
  }

  it('signs the whole file, and the same signer signs again', async () => {
    for (const pdf of [await signedPdf(), await signedPdf()]) {
      const checks = checkPdfSignatures(pdf);
      expect(checks).toHaveLength(1);
      expect(checks[0]).toMatchObject({ intact: true, coversWholeFile: true, problem: null });
      expect(checks[0].certificate).toEqual(credential.certificates[0]);
      expect(checks[0].reason).toBe(
        'Consent evidence grant 6f1c2d3e-0000-4000-8000-000000000001 for consent x',
      );
    }
  });

  it('reports a flipped byte and content appended after signing', async () => {
    const pdf = await signedPdf();
    const [check] = checkPdfSignatures(pdf);
    const flipped = Buffer.from(pdf);
    flipped[10] ^= 0x01;
    expect(checkPdfSignatures(flipped)[0]).toMatchObject({
      intact: false,
      problem: 'the document was modified after it was signed',
    });

    // A hex digit inside the signature value, which ends the CMS structure.
    const hex = pdf.subarray(check.byteRange[1] + 1, check.byteRange[2] - 1).toString('latin1');
    const cmsEnd = readElement(Buffer.from(hex, 'hex')).end;
    const forged = Buffer.from(pdf);
    const at = check.byteRange[1] + 1 + 2 * (cmsEnd - 20);
    forged[at] = forged[at] === 0x30 ? 0x31 : 0x30;
    expect(checkPdfSignatures(forged)[0]).toMatchObject({
      intact: false,
      problem: 'the signature does not verify with its certificate',
    });

    const appended = Buffer.concat([pdf, Buffer.from('\n%%EOF\n')]);
    expect(checkPdfSignatures(appended)[0]).toMatchObject({ intact: true, coversWholeFile: false });
  });

  it('finds no signature in an unsigned PDF', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    expect(checkPdfSignatures(Buffer.from(await doc.save()))).toEqual([]);
  });
});
