import type { INestApplicationContext } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { PDFDocument } from 'pdf-lib';
import { DataSource } from 'typeorm';
import { ConsentsService } from 'src/consents/consents.service';
import type { EvidenceLayout } from 'src/evidence/domain/evidence-layout';
import { EvidencePdfRenderer } from 'src/evidence/evidence-pdf.renderer';
import type { PdfSealer } from 'src/evidence/pdf-sealer';
import { PersonsService } from 'src/persons/persons.service';
import type { BenchScenario } from 'test/bench/bench-environment';
import { formatNumber } from 'test/bench/bench-report';
import { median, percentile } from 'test/bench/stats';

const SCENARIO = '5 evidence PDF';
const WARM_UP = 5;
const BENCH_ACTOR = { type: 'system' as const, id: 'bench' };

type RenderMeta = Parameters<EvidencePdfRenderer['renderSealed']>[1];

/**
 * The grant evidence of a real consent: a person and a request made through the services, granted
 * by link, which seals its evidence in the grant's transaction. The layout and metadata the service
 * rendered are captured there, then rendered and sealed `renders` times by the service's renderer.
 * Baseline: the same renderer with a sealer that only saves the document (pdf-lib alone).
 */
export const evidencePdf: BenchScenario = {
  name: SCENARIO,
  async run(env, scale) {
    const app = await env.app();
    const renderer = app.get(EvidencePdfRenderer);
    const { layout, meta } = await captureGrantLayout(app, renderer);
    const unsealed = new EvidencePdfRenderer({
      seal: async (doc: PDFDocument) => Buffer.from(await doc.save()),
    } as unknown as PdfSealer);

    const { sealed, alone } = await timeRenders(
      { sealed: renderer, alone: unsealed },
      layout,
      meta,
      scale.evidencePdf.renders,
    );
    const pages = (await PDFDocument.load(sealed.pdf, { updateMetadata: false })).getPageCount();
    const scaleText = `${formatNumber(scale.evidencePdf.renders)} renders, ${pages}-page grant evidence`;
    return [
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'median render+seal',
        value: median(sealed.ms),
        unit: 'ms',
        goal: { of: 'value', comparison: '<', target: 50 },
        baseline: median(alone.ms),
        baselineLabel: 'pdf-lib alone',
      },
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'p95 render+seal',
        value: percentile(sealed.ms, 95),
        unit: 'ms',
        baseline: percentile(alone.ms, 95),
        baselineLabel: 'pdf-lib alone',
      },
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'size',
        value: sealed.pdf.length / 1000,
        unit: 'KB',
        goal: { of: 'value', comparison: '<', target: 150 },
        baseline: alone.pdf.length / 1000,
        baselineLabel: 'pdf-lib alone',
      },
    ];
  },
};

/** Grants a consent through the services and keeps what the evidence service asked the renderer for. */
async function captureGrantLayout(
  app: INestApplicationContext,
  renderer: EvidencePdfRenderer,
): Promise<{ layout: EvidenceLayout; meta: RenderMeta }> {
  const persons = app.get(PersonsService);
  const consents = app.get(ConsentsService);
  const dataSource = app.get(DataSource);
  const person = await persons.create(
    {
      fullName: 'Camille Évidence-Benchmark',
      email: 'camille.evidence@bench.example',
      locale: 'fr',
    },
    BENCH_ACTOR,
  );
  const validFrom = new Date();
  const validUntil = new Date(validFrom.getTime() + 365 * 86_400_000);
  const requested = await consents.request(
    {
      personId: person.id,
      purpose:
        'Portraits et vidéos de l’équipe pour le site carrières, l’intranet et les réseaux sociaux de l’entreprise.',
      channels: ['website', 'intranet', 'linkedin', 'instagram', 'print'],
      mediaTypes: ['photo', 'video'],
      validFrom: validFrom.toISOString(),
      validUntil: validUntil.toISOString(),
    },
    BENCH_ACTOR,
    null,
  );

  let captured: { layout: EvidenceLayout; meta: RenderMeta } | undefined;
  const original = renderer.renderSealed.bind(renderer);
  renderer.renderSealed = (layout, meta) => {
    captured = { layout, meta };
    return original(layout, meta);
  };
  try {
    await dataSource.transaction(async (em) => {
      const consent = await consents.lockConsent(em, requested.id);
      await consents.grantByLink(
        em,
        consent,
        {
          accepted: ['website', 'intranet', 'linkedin', 'print'],
          signerName: 'Camille Évidence-Benchmark',
        },
        { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' },
      );
    });
  } finally {
    renderer.renderSealed = original;
  }
  if (!captured) throw new Error('granting a consent rendered no evidence PDF');
  return captured;
}

/** Renders with each renderer in turn, so drift in the machine's load falls on both alike. */
async function timeRenders(
  renderers: { sealed: EvidencePdfRenderer; alone: EvidencePdfRenderer },
  layout: EvidenceLayout,
  meta: RenderMeta,
  renders: number,
): Promise<Record<'sealed' | 'alone', { ms: number[]; pdf: Buffer }>> {
  const results: Record<'sealed' | 'alone', { ms: number[]; pdf: Buffer }> = {
    sealed: { ms: [], pdf: Buffer.alloc(0) },
    alone: { ms: [], pdf: Buffer.alloc(0) },
  };
  for (let i = 0; i < WARM_UP + renders; i += 1) {
    for (const kind of ['sealed', 'alone'] as const) {
      const started = performance.now();
      results[kind].pdf = await renderers[kind].renderSealed(layout, meta);
      if (i >= WARM_UP) results[kind].ms.push(performance.now() - started);
    }
  }
  return results;
}
