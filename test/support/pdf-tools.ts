import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function withFile<T>(pdf: Buffer, use: (file: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consent-ledger-pdf-'));
  const file = path.join(dir, 'document.pdf');
  fs.writeFileSync(file, pdf);
  try {
    return await use(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of a PDF as poppler's pdftotext extracts it, lines kept as laid out (UTF-8). */
export function pdfText(pdf: Buffer): Promise<string> {
  return withFile(
    pdf,
    async (file) => (await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])).stdout,
  );
}

export interface PdfsigReport {
  signatures: number;
  valid: boolean;
  totalDocumentSigned: boolean;
  subFilter: string | null;
  output: string;
}

/**
 * poppler's pdfsig, judged by its output: older versions exit 0 even when a signature is broken.
 * The certificate is not judged (a self-signed development certificate is never trusted).
 */
export function pdfsig(pdf: Buffer): Promise<PdfsigReport> {
  return withFile(pdf, async (file) => {
    let output: string;
    try {
      output = (await run('pdfsig', [file])).stdout;
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? '');
    }
    return {
      signatures: (output.match(/^Signature #\d+:/gm) ?? []).length,
      valid: /Signature Validation: Signature is Valid\./.test(output),
      totalDocumentSigned: /^\s*- Total document signed$/m.test(output),
      subFilter: /Signature Type: (\S+)/.exec(output)?.[1] ?? null,
      output,
    };
  });
}
