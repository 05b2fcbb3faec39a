import { Global, Module } from '@nestjs/common';
import { AuditAppender } from 'src/audit/audit-appender';
import { CheckpointWebhook } from 'src/audit/audit-checkpoint-webhook';
import { AuditCheckpoints } from 'src/audit/audit-checkpoints.service';
import { AuditController } from 'src/audit/audit.controller';
import { AuditEventsRepository } from 'src/audit/audit-events.repository';
import { AuditExporter } from 'src/audit/audit-exporter.service';
import { AuditLog } from 'src/audit/audit-log.service';
import { AuditSearch } from 'src/audit/audit-search.service';
import { AuditSigner } from 'src/audit/audit-signer';
import { AuditTreeReader } from 'src/audit/audit-tree.reader';
import { AuditVerifier } from 'src/audit/audit-verifier.service';

/**
 * The append-only, tamper-evident audit log. Global: every feature records into it.
 * Its queue work (timed checkpoints, webhook deliveries) runs in AuditJobsModule.
 */
@Global()
@Module({
  controllers: [AuditController],
  providers: [
    AuditAppender,
    AuditCheckpoints,
    AuditEventsRepository,
    AuditExporter,
    AuditLog,
    AuditSearch,
    AuditSigner,
    AuditTreeReader,
    AuditVerifier,
    CheckpointWebhook,
  ],
  exports: [AuditLog, AuditVerifier, AuditCheckpoints, CheckpointWebhook],
})
export class AuditModule {}
