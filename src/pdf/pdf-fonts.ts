import * as fontkit from '@pdf-lib/fontkit';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PDFDocument, PDFFont } from 'pdf-lib';

export interface PdfFonts {
  regular: PDFFont;
  bold: PDFFont;
}

const FILES = { regular: 'LiberationSans-Regular.ttf', bold: 'LiberationSans-Bold.ttf' } as const;

let cachedBytes: { regular: Buffer; bold: Buffer } | undefined;

/** The Unicode TTF fonts of templates/fonts, read from disk once per process. */
function fontBytes(): { regular: Buffer; bold: Buffer } {
  if (!cachedBytes) {
    const dir = fontsDirectory();
    cachedBytes = {
      regular: fs.readFileSync(path.join(dir, FILES.regular)),
      bold: fs.readFileSync(path.join(dir, FILES.bold)),
    };
  }
  return cachedBytes;
}

/** Embeds Liberation Sans (regular and bold) into `doc`, subset to the glyphs used. */
export async function embedFonts(doc: PDFDocument): Promise<PdfFonts> {
  doc.registerFontkit(fontkit);
  const bytes = fontBytes();
  const [regular, bold] = await Promise.all([
    doc.embedFont(bytes.regular, { subset: true }),
    doc.embedFont(bytes.bold, { subset: true }),
  ]);
  return { regular, bold };
}

/** templates/fonts of the project, found from src/pdf (sources) and dist/src/pdf (build) alike. */
function fontsDirectory(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'templates', 'fonts');
    if (fs.existsSync(path.join(candidate, FILES.regular))) return candidate;
    if (path.dirname(dir) === dir)
      throw new Error(`templates/fonts/${FILES.regular} not found above ${__dirname}`);
  }
}
