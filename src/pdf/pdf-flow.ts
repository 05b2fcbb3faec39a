import { PDFDocument, PDFFont, PDFPage, RGB, rgb } from 'pdf-lib';
import { PdfFonts } from 'src/pdf/pdf-fonts';

export const A4_PORTRAIT: [number, number] = [595.28, 841.89];
export const A4_LANDSCAPE: [number, number] = [841.89, 595.28];

const MARGIN = 40;
const FOOTER_SIZE = 8;
const CELL_PADDING = 3;
const MAX_CELL_LINES = 40;
const GREY = rgb(0.35, 0.35, 0.35);
const RULE = rgb(0.75, 0.75, 0.75);
const HEADER_FILL = rgb(0.92, 0.92, 0.92);

export interface TextStyle {
  bold?: boolean;
  size?: number;
  color?: RGB;
  /** Left indent in points. */
  indent?: number;
}

/** "Page 2 of 3" by default; other languages pass their own. */
export type PageLabel = (page: number, pages: number) => string;

const englishPageLabel: PageLabel = (page, pages) => `Page ${page} of ${pages}`;

export interface TableColumn {
  header: string;
  /** Share of the content width; shares are normalised. */
  share: number;
}

/**
 * Writes text and tables top to bottom, starting a new page when one is full, and numbers the
 * pages at the end ("<footer> · Page i of n").
 */
export class PdfFlow {
  private page: PDFPage;
  private y = 0;

  constructor(
    readonly doc: PDFDocument,
    private readonly fonts: PdfFonts,
    private readonly pageSize: [number, number] = A4_PORTRAIT,
  ) {
    this.page = this.addPage();
  }

  get contentWidth(): number {
    return this.pageSize[0] - 2 * MARGIN;
  }

  heading(text: string, size = 16): void {
    // Keep a heading with the first lines that follow it.
    this.ensureSpace(lineHeight(size) + size * 0.6 + lineHeight(10) * 3);
    this.gap(size * 0.4);
    this.paragraph(text, { bold: true, size });
    this.gap(size * 0.2);
  }

  paragraph(text: string, style: TextStyle = {}): void {
    const font = this.font(style);
    const size = style.size ?? 10;
    const indent = style.indent ?? 0;
    for (const line of wrapText(text, font, size, this.contentWidth - indent)) {
      this.ensureSpace(lineHeight(size));
      this.y -= lineHeight(size);
      this.page.drawText(line, {
        x: MARGIN + indent,
        y: this.y + size * 0.25,
        size,
        font,
        color: style.color ?? rgb(0, 0, 0),
      });
    }
  }

  /** Label/value lines, labels in bold in a fixed column (wrapped within it when long). */
  fields(rows: [label: string, value: string][], size = 10): void {
    const labelWidth = Math.min(150, this.contentWidth * 0.3);
    for (const [label, value] of rows) {
      const labels = wrapText(label, this.fonts.bold, size, labelWidth - 6);
      const values = wrapText(value, this.fonts.regular, size, this.contentWidth - labelWidth);
      for (let i = 0; i < Math.max(labels.length, values.length); i += 1) {
        this.ensureSpace(lineHeight(size));
        this.y -= lineHeight(size);
        const baseline = this.y + size * 0.25;
        if (labels[i])
          this.page.drawText(labels[i], { x: MARGIN, y: baseline, size, font: this.fonts.bold });
        if (values[i])
          this.page.drawText(values[i], {
            x: MARGIN + labelWidth,
            y: baseline,
            size,
            font: this.fonts.regular,
          });
      }
    }
  }

  /** A list item: its marker hanging left of text wrapped at the item's indent. */
  listItem(marker: string, text: string, style: TextStyle = {}): void {
    const font = this.font(style);
    const size = style.size ?? 10;
    const indent = (style.indent ?? 0) + size * 1.6;
    this.ensureSpace(lineHeight(size));
    const markerY = this.y - lineHeight(size) + size * 0.25;
    const page = this.page;
    this.paragraph(text, { ...style, indent });
    page.drawText(marker, {
      x: MARGIN + indent - textWidth(marker, font, size) - size * 0.5,
      y: markerY,
      size,
      font,
      color: style.color ?? rgb(0, 0, 0),
    });
  }

  rule(): void {
    this.ensureSpace(12);
    this.gap(6);
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: MARGIN + this.contentWidth, y: this.y },
      thickness: 0.5,
      color: RULE,
    });
    this.gap(6);
  }

  newPage(): void {
    this.page = this.addPage();
  }

  gap(points: number): void {
    this.y -= points;
  }

  /** A table whose header row is repeated on every page it flows onto. */
  table(columns: TableColumn[], rows: string[][], size = 8): void {
    const total = columns.reduce((sum, column) => sum + column.share, 0);
    const widths = columns.map((column) => (column.share / total) * this.contentWidth);
    const header = columns.map((column) => column.header);
    this.ensureSpace(this.rowHeight(header, widths, size, this.fonts.bold) + lineHeight(size) * 2);
    this.drawRow(header, widths, size, this.fonts.bold, HEADER_FILL);
    for (const row of rows) {
      const height = this.rowHeight(row, widths, size, this.fonts.regular);
      if (this.y - height < MARGIN + FOOTER_SIZE * 2) {
        this.page = this.addPage();
        this.drawRow(header, widths, size, this.fonts.bold, HEADER_FILL);
      }
      this.drawRow(row, widths, size, this.fonts.regular);
    }
  }

  /** Numbers every page and returns the document bytes. */
  async finish(footer: string): Promise<Uint8Array> {
    this.numberPages(footer);
    return this.doc.save();
  }

  /** Writes "<footer> · <page label>" at the foot of every page. */
  numberPages(footer: string, pageLabel: PageLabel = englishPageLabel): void {
    const pages = this.doc.getPages();
    pages.forEach((page, i) => {
      const text = `${footer} · ${pageLabel(i + 1, pages.length)}`;
      const width = textWidth(text, this.fonts.regular, FOOTER_SIZE);
      page.drawText(text, {
        x: (page.getWidth() - width) / 2,
        y: MARGIN / 2,
        size: FOOTER_SIZE,
        font: this.fonts.regular,
        color: GREY,
      });
    });
  }

  private drawRow(
    cells: string[],
    widths: number[],
    size: number,
    font: PDFFont,
    fill?: RGB,
  ): void {
    const wrapped = cells.map((cell, i) =>
      cellLines(cell, font, size, widths[i] - 2 * CELL_PADDING),
    );
    const height =
      Math.max(...wrapped.map((lines) => lines.length)) * lineHeight(size) + 2 * CELL_PADDING;
    const top = this.y;
    if (fill)
      this.page.drawRectangle({
        x: MARGIN,
        y: top - height,
        width: this.contentWidth,
        height,
        color: fill,
      });
    let x = MARGIN;
    wrapped.forEach((lines, i) => {
      lines.forEach((line, n) => {
        this.page.drawText(line, {
          x: x + CELL_PADDING,
          y: top - CELL_PADDING - (n + 1) * lineHeight(size) + size * 0.25,
          size,
          font,
        });
      });
      x += widths[i];
    });
    this.page.drawLine({
      start: { x: MARGIN, y: top - height },
      end: { x: MARGIN + this.contentWidth, y: top - height },
      thickness: 0.5,
      color: RULE,
    });
    this.y = top - height;
  }

  private rowHeight(cells: string[], widths: number[], size: number, font: PDFFont): number {
    const lines = cells.map(
      (cell, i) => cellLines(cell, font, size, widths[i] - 2 * CELL_PADDING).length,
    );
    return Math.max(...lines) * lineHeight(size) + 2 * CELL_PADDING;
  }

  private ensureSpace(height: number): void {
    if (this.y - height < MARGIN + FOOTER_SIZE * 2) this.page = this.addPage();
  }

  private addPage(): PDFPage {
    const page = this.doc.addPage(this.pageSize);
    this.y = this.pageSize[1] - MARGIN;
    return page;
  }

  private font(style: TextStyle): PDFFont {
    return style.bold ? this.fonts.bold : this.fonts.regular;
  }
}

function lineHeight(size: number): number {
  return size * 1.3;
}

function cellLines(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines = wrapText(text, font, size, width);
  return lines.length > MAX_CELL_LINES ? [...lines.slice(0, MAX_CELL_LINES - 1), '…'] : lines;
}

const advanceWidths = new WeakMap<PDFFont, Map<string, number>>();

/**
 * Width of `text` as the sum of its characters' advance widths, each measured once per font:
 * laying out whole strings through fontkit for every wrapping attempt is what makes long tables slow.
 */
export function textWidth(text: string, font: PDFFont, size: number): number {
  let widths = advanceWidths.get(font);
  if (!widths) {
    widths = new Map();
    advanceWidths.set(font, widths);
  }
  let total = 0;
  for (const char of text) {
    let width = widths.get(char);
    if (width === undefined) {
      width = font.widthOfTextAtSize(char, 1000);
      widths.set(char, width);
    }
    total += width;
  }
  return (total * size) / 1000;
}

/** Splits text into lines that fit `maxWidth`, at spaces when possible, inside long tokens otherwise. */
export function wrapText(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const fits = (candidate: string) => textWidth(candidate, font, size) <= maxWidth;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      let rest = word;
      while (!fits(rest)) {
        let cut = rest.length - 1;
        while (cut > 1 && !fits(rest.slice(0, cut))) cut -= 1;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}
