import { Module } from '@nestjs/common';
import { AuditCheckpointSchedule } from 'src/audit/audit-checkpoint-schedule';
import { AuditProcessor } from 'src/audit/audit.processor';

/** Consumes the audit queue and registers the timed checkpoint; the one-shot CLI leaves it out. */
@Module({ providers: [AuditProcessor, AuditCheckpointSchedule] })
export class AuditJobsModule {}
