import { PDFDocument, rgb } from 'pdf-lib';
import type { AuditFilters } from 'src/audit/audit-events.repository';
import type { AuditActor, AuditEventRecord } from 'src/audit/domain/audit-event';
import type { VerifyResult } from 'src/audit/domain/log-verifier';
import { embedFonts } from 'src/pdf/pdf-fonts';
import { A4_LANDSCAPE, PdfFlow } from 'src/pdf/pdf-flow';

export interface ReportCheckpoint {
  treeSize: number;
  rootHash: string;
  createdAt: string;
  note: string;
}

export interface AuditReport {
  orgName: string;
  origin: string;
  keyName: string;
  publicKey: string;
  generatedAt: Date;
  requestedBy: AuditActor;
  filters: AuditFilters;
  /** Events of the log when the export started; the report covers seq below it. */
  logSize: number;
  events: (AuditEventRecord & { leafHash: string })[];
  verification: VerifyResult;
  /** The newest signed checkpoint the verification matched. */
  checkpoint: ReportCheckpoint | null;
}

/** The audit report for a lawyer: what was asked, what the log holds, and whether it can be trusted. */
export async function renderAuditReport(report: AuditReport): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Audit log report');
  doc.setAuthor(report.orgName);
  doc.setProducer('Consent Ledger');
  doc.setCreationDate(report.generatedAt);
  const flow = new PdfFlow(doc, await embedFonts(doc), A4_LANDSCAPE);

  flow.heading('Audit log report', 18);
  flow.paragraph(`${report.orgName} — image-rights consent records (Consent Ledger)`, {
    color: rgb(0.3, 0.3, 0.3),
  });
  flow.gap(8);
  flow.fields([
    ['Generated', utc(report.generatedAt.toISOString())],
    ['Requested by', describeActor(report.requestedBy)],
    ['Log', report.origin],
    ['Filters', describeFilters(report.filters)],
    ['Period', describePeriod(report)],
    [
      'Events listed',
      `${report.events.length} (of the ${report.logSize} events the log held when this report was made)`,
    ],
  ]);

  flow.heading('Integrity', 13);
  integrity(flow, report);

  flow.heading('Events', 13);
  if (report.events.length === 0) {
    flow.paragraph('No event matches the filters.');
  } else {
    flow.table(
      [
        { header: 'Seq', share: 0.5 },
        { header: 'Time (UTC)', share: 1.4 },
        { header: 'Action', share: 1.4 },
        { header: 'Actor', share: 1.9 },
        { header: 'Subjects', share: 2.9 },
        { header: 'Details', share: 3.0 },
      ],
      report.events.map((event) => [
        String(event.seq),
        utc(event.occurredAt).replace(' UTC', ''),
        event.action,
        describeActor(event.actor),
        describeSubjects(event),
        describeData(event.data),
      ]),
    );
  }
  return flow.finish(
    `Audit log report · ${report.origin} · ${utc(report.generatedAt.toISOString())}`,
  );
}

function integrity(flow: PdfFlow, report: AuditReport): void {
  const { verification, checkpoint } = report;
  if (verification.ok) {
    flow.paragraph('VERIFIED: the log is intact.', { bold: true, color: rgb(0, 0.45, 0) });
    flow.paragraph(
      `Every one of the ${verification.treeSize} events of the log was re-hashed from its stored bytes ` +
        `(SHA-256 of its canonical JSON), the RFC 9162 Merkle tree was rebuilt from them, and its root was ` +
        `compared with each of the ${verification.checkedCheckpoints} checkpoints signed with the log's Ed25519 key. ` +
        'All matched.',
    );
  } else {
    flow.paragraph('NOT VERIFIED: the log has been altered.', {
      bold: true,
      color: rgb(0.7, 0, 0),
    });
    flow.fields([
      ['Reason', verification.reason ?? 'unknown'],
      [
        'First suspect event',
        verification.firstBadSeq === undefined
          ? 'not an event (checkpoint or tree data)'
          : String(verification.firstBadSeq),
      ],
      ['Checkpoints that matched', String(verification.checkedCheckpoints)],
    ]);
  }
  flow.gap(6);
  flow.fields([
    ['Root of the log', `${verification.rootHash} (tree size ${verification.treeSize})`],
    ['Signing key', `${report.keyName}, Ed25519 public key ${report.publicKey} (base64)`],
  ]);
  flow.gap(6);
  if (checkpoint) {
    flow.paragraph(
      `Checked against the signed checkpoint of tree size ${checkpoint.treeSize}, signed ${utc(checkpoint.createdAt)}, root ${checkpoint.rootHash}. ` +
        'Its signed note, which anyone can check with the public key above:',
    );
    flow.gap(2);
    flow.paragraph(checkpoint.note.trimEnd(), { size: 8 });
  } else {
    flow.paragraph('No signed checkpoint covers the log yet.');
  }
  flow.gap(4);
  flow.paragraph(
    'Each event below can be proven independently: its leaf hash is SHA-256(0x00 followed by its canonical JSON ' +
      'bytes); the JSONL export carries those exact bytes, and the inclusion proof service links each leaf to a ' +
      'signed root. The format is described in docs/audit-format.md.',
    { size: 8, color: rgb(0.3, 0.3, 0.3) },
  );
}

function utc(iso: string): string {
  return iso
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC')
    .replace(/Z$/, ' UTC');
}

function describeActor(actor: AuditActor): string {
  if (actor.type === 'staff')
    return `staff key ${actor.id}${actor.keyName ? ` (${actor.keyName})` : ''}`;
  return `${actor.type} ${actor.id}`;
}

function describeSubjects(event: AuditEventRecord): string {
  const lines: string[] = [];
  if (event.personId) lines.push(`person ${event.personId}`);
  if (event.consentId) lines.push(`consent ${event.consentId}`);
  if (event.assetId) lines.push(`asset ${event.assetId}`);
  return lines.join('\n') || '—';
}

function describeData(data: Record<string, unknown>): string {
  const lines = Object.entries(data).map(
    ([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  return lines.join('\n') || '—';
}

function describeFilters(filters: AuditFilters): string {
  const parts: string[] = [];
  if (filters.personId) parts.push(`person ${filters.personId}`);
  if (filters.consentId) parts.push(`consent ${filters.consentId}`);
  if (filters.assetId) parts.push(`asset ${filters.assetId}`);
  if (filters.action) parts.push(`action ${filters.action}`);
  return parts.join(', ') || 'none (every event)';
}

function describePeriod(report: AuditReport): string {
  const { from, to } = report.filters;
  const asked =
    from || to
      ? `${from ? `from ${utc(from.toISOString())}` : 'from the start'} ${to ? `until ${utc(to.toISOString())} (excluded)` : 'to the time of the report'}`
      : 'the whole log';
  const first = report.events[0];
  const last = report.events[report.events.length - 1];
  return first
    ? `${asked}; events listed span ${utc(first.occurredAt)} to ${utc(last.occurredAt)}`
    : asked;
}
