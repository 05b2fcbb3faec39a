import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditCheckpoints } from 'src/audit/audit-checkpoints.service';
import {
  AuditEventsRepository,
  AuditFilters,
  StoredEvent,
} from 'src/audit/audit-events.repository';
import { filtersAsData, filterSubjects } from 'src/audit/audit-filters';
import { AuditLog } from 'src/audit/audit-log.service';
import { renderAuditReport } from 'src/audit/audit-report.pdf';
import { AuditSigner } from 'src/audit/audit-signer';
import { AuditTreeReader } from 'src/audit/audit-tree.reader';
import { AuditVerifier } from 'src/audit/audit-verifier.service';
import { AuditActor, parseAuditEvent } from 'src/audit/domain/audit-event';
import { CheckpointDto } from 'src/audit/dto/audit-checkpoint.dto';
import type { ExportFormat } from 'src/audit/dto/audit-query.dto';
import { Clock } from 'src/common/clock/clock';
import { DomainError } from 'src/common/errors/domain-error';
import { AppConfig } from 'src/config/app-config';

const PAGE = 2_000;
export const PDF_EXPORT_MAX_EVENTS = 5_000;

export interface AuditExport {
  body: Readable;
  contentType: string;
  filename: string;
}

const CSV_COLUMNS = [
  'seq',
  'occurredAt',
  'action',
  'actorType',
  'actorId',
  'actorKeyName',
  'personId',
  'consentId',
  'assetId',
  'data',
  'leafHash',
];

/**
 * Exports the events matching filters, oldest first, as CSV, JSONL (the exact hashed bytes, for
 * outside verification) or a PDF report. The export is recorded first (audit.exported) and
 * covers every matching event before that record.
 */
@Injectable()
export class AuditExporter {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: AuditEventsRepository,
    private readonly auditLog: AuditLog,
    private readonly tree: AuditTreeReader,
    private readonly verifier: AuditVerifier,
    private readonly checkpoints: AuditCheckpoints,
    private readonly signer: AuditSigner,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async export(
    format: ExportFormat,
    filters: AuditFilters,
    actor: AuditActor,
  ): Promise<AuditExport> {
    if (format === 'pdf') {
      const count = await this.events.count(filters, await this.tree.currentSize());
      if (count > PDF_EXPORT_MAX_EVENTS) {
        throw new DomainError(
          'AUDIT_EXPORT_TOO_LARGE',
          `${count} events match; a PDF report holds at most ${PDF_EXPORT_MAX_EVENTS}: narrow the filters or export csv or jsonl`,
          { matching: count, limit: PDF_EXPORT_MAX_EVENTS },
        );
      }
    }
    const generatedAt = this.clock.now();
    const { seq: recordSeq } = await this.dataSource.transaction((em) =>
      this.auditLog.append(em, {
        action: 'audit.exported',
        actor,
        ...filterSubjects(filters),
        data: { format, filters: filtersAsData(filters) },
      }),
    );
    const filename = `audit-log-${generatedAt.toISOString().replace(/[-:]|\.\d{3}/g, '')}.${format}`;
    switch (format) {
      case 'jsonl':
        return {
          body: Readable.from(this.jsonl(filters, recordSeq)),
          contentType: 'application/x-ndjson; charset=utf-8',
          filename,
        };
      case 'csv':
        return {
          body: Readable.from(this.csv(filters, recordSeq)),
          contentType: 'text/csv; charset=utf-8',
          filename,
        };
      case 'pdf':
        return {
          body: Readable.from([await this.pdf(filters, recordSeq, generatedAt, actor)]),
          contentType: 'application/pdf',
          filename,
        };
      default: {
        const unknownFormat: never = format;
        throw new Error(`unknown export format ${String(unknownFormat)}`);
      }
    }
  }

  private async *jsonl(filters: AuditFilters, below: number): AsyncGenerator<string> {
    for await (const page of this.events.oldestFirst(filters, below, PAGE)) {
      yield page.map((event) => `${JSON.stringify(jsonlLine(event))}\n`).join('');
    }
  }

  private async *csv(filters: AuditFilters, below: number): AsyncGenerator<string> {
    yield stringify([CSV_COLUMNS]);
    for await (const page of this.events.oldestFirst(filters, below, PAGE)) {
      // escape_formulas: a spreadsheet must not execute a cell starting with = + - @.
      yield stringify(page.map(csvRow), { escape_formulas: true });
    }
  }

  private async pdf(
    filters: AuditFilters,
    below: number,
    generatedAt: Date,
    actor: AuditActor,
  ): Promise<Buffer> {
    const events: (ReturnType<typeof parseAuditEvent> & { leafHash: string })[] = [];
    for await (const page of this.events.oldestFirst(filters, below, PAGE)) {
      for (const stored of page)
        events.push({
          ...parseAuditEvent(stored.canonical),
          leafHash: stored.leafHash.toString('hex'),
        });
    }
    const verification = await this.verifier.verify();
    const checkpoint = verification.ok
      ? await this.checkpoints.latestAtOrBelow(verification.treeSize)
      : null;
    const bytes = await renderAuditReport({
      orgName: this.config.orgName,
      origin: this.signer.origin,
      keyName: this.signer.keyName,
      publicKey: this.signer.publicKey.toString('base64'),
      generatedAt,
      requestedBy: actor,
      filters,
      logSize: below,
      events,
      verification,
      checkpoint: checkpoint ? CheckpointDto.from(checkpoint) : null,
    });
    return Buffer.from(bytes);
  }
}

/** One JSONL line: enough for anyone to re-hash the event and rebuild the tree. */
export function jsonlLine(event: StoredEvent): {
  seq: number;
  leafHash: string;
  canonical: string;
} {
  return {
    seq: event.seq,
    leafHash: event.leafHash.toString('hex'),
    canonical: event.canonical.toString('utf8'),
  };
}

function csvRow(stored: StoredEvent): (string | number)[] {
  const event = parseAuditEvent(stored.canonical);
  const keyName = event.actor.type === 'staff' ? (event.actor.keyName ?? '') : '';
  return [
    event.seq,
    event.occurredAt,
    event.action,
    event.actor.type,
    event.actor.id,
    keyName,
    event.personId ?? '',
    event.consentId ?? '',
    event.assetId ?? '',
    JSON.stringify(event.data),
    stored.leafHash.toString('hex'),
  ];
}
