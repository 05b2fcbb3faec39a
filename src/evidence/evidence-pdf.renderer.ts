import { Injectable } from '@nestjs/common';
import { PDFDocument, rgb } from 'pdf-lib';
import type { EvidenceLayout, LayoutBlock } from 'src/evidence/domain/evidence-layout';
import { PdfSealer } from 'src/evidence/pdf-sealer';
import { embedFonts } from 'src/pdf/pdf-fonts';
import { PdfFlow } from 'src/pdf/pdf-flow';

const MUTED = rgb(0.33, 0.33, 0.33);
const HEADING_SIZES = { 1: 15, 2: 12.5, 3: 11 } as const;

/** Draws an evidence layout with pdf-lib and seals it as the last step. */
@Injectable()
export class EvidencePdfRenderer {
  constructor(private readonly sealer: PdfSealer) {}

  async renderSealed(
    layout: EvidenceLayout,
    meta: { issuedAt: Date; orgName: string; location: string; contactInfo: string },
  ): Promise<Buffer> {
    // No automatic metadata: pdf-lib would stamp it with the system time, not the Clock's.
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.setTitle(nfc(layout.title), { showInWindowTitleBar: true });
    doc.setAuthor(nfc(meta.orgName));
    doc.setSubject(layout.sealReason);
    doc.setCreator('Consent Ledger');
    doc.setProducer('Consent Ledger (pdf-lib)');
    doc.setLanguage(layout.language);
    doc.setCreationDate(meta.issuedAt);
    doc.setModificationDate(meta.issuedAt);

    const flow = new PdfFlow(doc, await embedFonts(doc));
    for (const block of layout.blocks) draw(flow, block);
    flow.numberPages(nfc(layout.footer), layout.pageLabel);
    for (const attachment of layout.attachments) {
      await doc.attach(Buffer.from(attachment.content, 'utf8'), attachment.name, {
        mimeType: attachment.mimeType,
        description: nfc(attachment.description),
        creationDate: meta.issuedAt,
        modificationDate: meta.issuedAt,
      });
    }
    return this.sealer.seal(doc, {
      reason: layout.sealReason,
      location: meta.location,
      contactInfo: meta.contactInfo,
      signingTime: meta.issuedAt,
    });
  }
}

function draw(flow: PdfFlow, block: LayoutBlock): void {
  switch (block.kind) {
    case 'title':
      flow.heading(nfc(block.text), 17);
      break;
    case 'heading':
      flow.heading(nfc(block.text), HEADING_SIZES[block.level]);
      break;
    case 'paragraph':
      flow.paragraph(nfc(block.text), {
        size: block.size,
        indent: block.indent,
        bold: block.tone === 'strong',
        color: block.tone === 'muted' ? MUTED : undefined,
      });
      flow.gap(4);
      break;
    case 'fields':
      flow.fields(
        block.rows.map(([label, value]) => [nfc(label), nfc(value)]),
        9.5,
      );
      flow.gap(4);
      break;
    case 'table':
      flow.table(
        block.columns.map((column) => ({ ...column, header: nfc(column.header) })),
        block.rows.map((row) => row.map(nfc)),
        block.size,
      );
      flow.gap(6);
      break;
    case 'listItem':
      flow.listItem(nfc(block.marker), nfc(block.text), { indent: block.indent });
      flow.gap(2);
      break;
    case 'rule':
      flow.rule();
      break;
    case 'pageBreak':
      flow.newPage();
      break;
  }
}

/** The fonts map one character to one glyph: composed forms (é, not e + ◌́) render as one. */
function nfc(text: string): string {
  return text.normalize('NFC');
}
