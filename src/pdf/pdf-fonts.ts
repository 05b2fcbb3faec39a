import * as fontkit from '@pdf-lib/fontkit';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PDFDocument, PDFFont } from 'pdf-lib';
import type { Font, Fontkit, Glyph, GlyphRun } from 'pdf-lib/cjs/types/fontkit';

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

const parsedFonts = new Map<Uint8Array, Font>();

/**
 * fontkit as pdf-lib uses it, with two savings that matter when every grant renders a PDF:
 * each font file is parsed once per process (pdf-lib re-parses it for every document), and text
 * maps to glyphs character by character instead of through OpenType shaping. pdf-lib keeps only
 * the glyph ids of a layout, never its kerning, so for Latin scripts (text in NFC) the output is
 * the same, several times faster.
 */
const cachingFontkit: Fontkit = {
  create(data: Uint8Array, postscriptName?: string): Font {
    let font = parsedFonts.get(data);
    if (!font) {
      font = withDirectGlyphMapping(fontkit.create(data, postscriptName));
      parsedFonts.set(data, font);
    }
    return font;
  },
};

function withDirectGlyphMapping(font: Font): Font {
  const byCodePoint = new Map<number, Glyph>();
  const glyphFor = (codePoint: number): Glyph => {
    let glyph = byCodePoint.get(codePoint);
    if (!glyph) {
      glyph = font.glyphForCodePoint(codePoint);
      byCodePoint.set(codePoint, glyph);
    }
    return glyph;
  };
  // A view of the parsed font whose layout() skips shaping; everything else is the font itself.
  const view = Object.create(font) as Font;
  view.layout = (text: string): GlyphRun => {
    const glyphs: Glyph[] = [];
    for (const char of text) glyphs.push(glyphFor(char.codePointAt(0) ?? 0));
    // pdf-lib reads only the glyphs of a run.
    return { glyphs } as GlyphRun;
  };
  return view;
}

/** Embeds Liberation Sans (regular and bold) into `doc`, subset to the glyphs used. */
export async function embedFonts(doc: PDFDocument): Promise<PdfFonts> {
  doc.registerFontkit(cachingFontkit);
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
