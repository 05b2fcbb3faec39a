import { Module } from '@nestjs/common';
import { ConsentsModule } from 'src/consents/consents.module';
import { EvidenceController } from 'src/evidence/evidence.controller';
import { EvidenceDocuments } from 'src/evidence/evidence-documents.repository';
import { EvidenceFactsReader } from 'src/evidence/evidence-facts.reader';
import { EvidencePdfRenderer } from 'src/evidence/evidence-pdf.renderer';
import { EvidenceQueries } from 'src/evidence/evidence-queries.service';
import { EvidenceService } from 'src/evidence/evidence.service';
import { EvidenceVerifier } from 'src/evidence/evidence-verifier';
import { PdfSealer } from 'src/evidence/pdf-sealer';

/** Sealed PDF evidence of every grant and withdrawal, its JSON receipt and its verification. */
@Module({
  imports: [ConsentsModule],
  controllers: [EvidenceController],
  providers: [
    EvidenceService,
    EvidenceQueries,
    EvidenceVerifier,
    EvidenceDocuments,
    EvidenceFactsReader,
    EvidencePdfRenderer,
    PdfSealer,
  ],
  exports: [EvidenceDocuments, EvidenceService],
})
export class EvidenceModule {}
