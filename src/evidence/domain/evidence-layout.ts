/**
 * What each evidence PDF says, block by block, from plain facts: the renderer only draws these
 * blocks, so every statement of a document can be unit-tested without a PDF.
 */
import { describeScope, ScopeLabels } from 'src/consents/domain/scope-description';
import type {
  AuditReference,
  ConsentFacts,
  EvidenceKind,
  GrantEvidence,
  WithdrawalEvidence,
} from 'src/evidence/domain/evidence-facts';
import { listOf, parisTime, utcTime } from 'src/evidence/domain/evidence-format';
import { EvidenceStrings, evidenceStrings } from 'src/evidence/domain/evidence-strings';
import { noticeBlocks } from 'src/evidence/domain/notice-blocks';

export type LayoutBlock =
  | { kind: 'title'; text: string }
  | { kind: 'heading'; text: string; level: 1 | 2 | 3 }
  | { kind: 'paragraph'; text: string; tone?: 'muted' | 'strong'; size?: number; indent?: number }
  | { kind: 'fields'; rows: [label: string, value: string][] }
  | { kind: 'table'; columns: { header: string; share: number }[]; rows: string[][]; size?: number }
  | { kind: 'listItem'; marker: string; text: string; indent: number }
  | { kind: 'rule' }
  | { kind: 'pageBreak' };

export interface EvidenceAttachment {
  name: string;
  description: string;
  mimeType: string;
  content: string;
}

export interface EvidenceLayout {
  kind: EvidenceKind;
  title: string;
  /** BCP 47 language of the text, for the PDF's /Lang. */
  language: string;
  footer: string;
  pageLabel: (page: number, pages: number) => string;
  blocks: LayoutBlock[];
  attachments: EvidenceAttachment[];
  /** ASCII /Reason of the signature: names the document, so a copy says what it claims to be. */
  sealReason: string;
}

export const NOTICE_ATTACHMENT = 'notice.md';

/** The sealed PDF of a grant: by emailed link (kind grant) or on paper (kind paper_cover). */
export function grantLayout(evidence: GrantEvidence, labels: ScopeLabels): EvidenceLayout {
  const { consent, grant } = evidence;
  const t = evidenceStrings(consent.locale);
  const kind: EvidenceKind = grant.method === 'paper' ? 'paper_cover' : 'grant';
  const title = kind === 'paper_cover' ? t.grant.paperTitle : t.grant.title;
  const blocks: LayoutBlock[] = [
    ...header(title, evidence, t),
    { kind: 'paragraph', text: kind === 'paper_cover' ? t.grant.paperIntro : t.grant.intro },
    { kind: 'heading', text: t.parties.heading, level: 2 },
    {
      kind: 'fields',
      rows: [
        [t.parties.organisation, evidence.orgName],
        [t.parties.person, evidence.person.fullName],
        grant.method === 'email_link'
          ? [t.parties.linkSentTo, grant.sentTo ?? t.notRecorded]
          : [t.parties.email, evidence.person.email],
        [t.parties.personId, evidence.person.id],
      ],
    },
    { kind: 'heading', text: t.scope.heading, level: 2 },
    scopeTable(consent, labels, t),
    { kind: 'heading', text: t.signature.heading, level: 2 },
  ];
  if (grant.method === 'email_link') {
    blocks.push(
      {
        kind: 'fields',
        rows: [
          [t.signature.typedName, grant.signerName],
          [t.signature.timeUtc, utcTime(grant.signedAt)],
          [t.signature.timeParis, parisTime(grant.signedAt, consent.locale)],
          [t.signature.ip, grant.ip ?? t.notRecorded],
          [t.signature.userAgent, grant.userAgent ?? t.notRecorded],
          [t.signature.method, t.signature.linkMethod(grant.sentTo ?? t.notRecorded)],
        ],
      },
      { kind: 'paragraph', text: t.signature.linkSteps, size: 9, tone: 'muted' },
    );
  } else {
    blocks.push({
      kind: 'fields',
      rows: [
        [t.signature.method, t.signature.paperMethod(grant.scanSha256)],
        [
          t.signature.paperRecordedBy,
          grant.recordedByKeyId ? t.signature.staffKey(grant.recordedByKeyId) : t.notRecorded,
        ],
        [t.signature.timeUtc, utcTime(grant.recordedAt)],
        [t.signature.timeParis, parisTime(grant.recordedAt, consent.locale)],
      ],
    });
  }
  blocks.push(
    ...noticeSection(consent, t),
    { kind: 'pageBreak' },
    ...evidenceSection(
      evidence,
      t.evidence.anchorGrant(evidence.anchor.seq, evidence.anchor.leafHash),
      t,
    ),
  );
  return {
    kind,
    title,
    language: languageTag(consent.locale),
    footer: `${evidence.orgName} · ${title}`,
    pageLabel: t.pageLabel,
    blocks,
    attachments: [
      {
        name: NOTICE_ATTACHMENT,
        description: t.notice.hash,
        mimeType: 'text/markdown',
        content: consent.noticeText,
      },
    ],
    sealReason: `Consent evidence ${kind} ${evidence.documentId} for consent ${consent.id}`,
  };
}

/** The sealed receipt of a withdrawal, whole or of some channels. */
export function withdrawalLayout(
  evidence: WithdrawalEvidence,
  labels: ScopeLabels,
): EvidenceLayout {
  const { consent, withdrawal } = evidence;
  const t = evidenceStrings(consent.locale);
  const channel = (code: string) => labels.channels[code] ?? code;
  const rows: [string, string][] = [
    [
      t.withdrawn.extent,
      withdrawal.wholeConsent ? t.withdrawn.scopeWhole : t.withdrawn.scopePartial,
    ],
    [t.withdrawn.channels, listOf(withdrawal.channels.map(channel), consent.locale, t.none)],
    [t.withdrawn.remaining, listOf(withdrawal.remaining.map(channel), consent.locale, t.none)],
    [t.withdrawn.receivedVia, t.withdrawn.via[withdrawal.receivedVia]],
    [
      t.withdrawn.recordedBy,
      withdrawal.recordedByKeyId
        ? t.signature.staffKey(withdrawal.recordedByKeyId)
        : t.withdrawn.byPerson,
    ],
    ...(withdrawal.reason ? [[t.withdrawn.note, withdrawal.reason] as [string, string]] : []),
    [t.signature.timeUtc, utcTime(withdrawal.occurredAt)],
    [t.signature.timeParis, parisTime(withdrawal.occurredAt, consent.locale)],
  ];
  const blocks: LayoutBlock[] = [
    ...header(t.withdrawal.title, evidence, t),
    { kind: 'paragraph', text: t.withdrawal.intro },
    { kind: 'heading', text: t.parties.heading, level: 2 },
    {
      kind: 'fields',
      rows: [
        [t.parties.organisation, evidence.orgName],
        [t.parties.person, evidence.person.fullName],
        [t.parties.email, evidence.person.email],
        [t.parties.personId, evidence.person.id],
      ],
    },
    { kind: 'heading', text: t.withdrawn.heading, level: 2 },
    { kind: 'fields', rows },
    { kind: 'paragraph', text: t.withdrawn.effect, tone: 'strong' },
    { kind: 'heading', text: t.scope.heading, level: 2 },
    scopeTable(consent, labels, t),
    {
      kind: 'fields',
      rows: [
        [
          t.notice.template,
          t.notice.templateValue(consent.templateKey, consent.templateVersion, consent.locale),
        ],
        [t.notice.hash, consent.noticeSha256],
        ...(evidence.grantDocument
          ? [
              [
                t.withdrawn.grantDocument,
                t.withdrawn.grantDocumentValue(
                  evidence.grantDocument.id,
                  evidence.grantDocument.sha256,
                ),
              ] as [string, string],
            ]
          : []),
      ],
    },
    ...evidenceSection(
      evidence,
      t.evidence.anchorWithdrawal(evidence.anchor.seq, evidence.anchor.leafHash),
      t,
    ),
  ];
  return {
    kind: 'withdrawal',
    title: t.withdrawal.title,
    language: languageTag(consent.locale),
    footer: `${evidence.orgName} · ${t.withdrawal.title}`,
    pageLabel: t.pageLabel,
    blocks,
    attachments: [],
    sealReason: `Consent evidence withdrawal ${evidence.documentId} for consent ${consent.id}`,
  };
}

/** How an audit event reads in the evidence, e.g. "Email sent (sign request)". */
export function describeEvent(event: AuditReference, t: EvidenceStrings): string {
  const label = t.events[event.action] ?? event.action;
  return event.mailKind ? `${label} (${t.mailKinds[event.mailKind] ?? event.mailKind})` : label;
}

function header(
  title: string,
  evidence: { documentId: string; issuedAt: Date; orgName: string; consent: ConsentFacts },
  t: EvidenceStrings,
): LayoutBlock[] {
  return [
    { kind: 'title', text: title },
    { kind: 'paragraph', text: evidence.orgName, tone: 'strong' },
    {
      kind: 'paragraph',
      text: t.documentRef(evidence.documentId, evidence.consent.id, utcTime(evidence.issuedAt)),
      size: 8,
      tone: 'muted',
    },
    { kind: 'rule' },
  ];
}

function scopeTable(consent: ConsentFacts, labels: ScopeLabels, t: EvidenceStrings): LayoutBlock {
  const scope = describeScope(consent, consent.locale, labels);
  const channel = (code: string) => labels.channels[code] ?? code;
  return {
    kind: 'table',
    size: 9,
    columns: [
      { header: t.scope.itemHeader, share: 1 },
      { header: t.scope.valueHeader, share: 2.6 },
    ],
    rows: [
      [t.scope.purpose, consent.purpose],
      [t.scope.accepted, listOf(consent.accepted.map(channel), consent.locale, t.none)],
      [t.scope.refused, listOf(consent.refused.map(channel), consent.locale, t.none)],
      [
        t.scope.media,
        listOf(
          scope.mediaTypes.map((m) => m.label),
          consent.locale,
          t.none,
        ),
      ],
      [t.scope.territory, scope.territory],
      [
        t.scope.excluded,
        consent.excludedUses.length > 0 ? consent.excludedUses.join('\n') : t.none,
      ],
      [t.scope.validFrom, `${scope.validFrom} (${utcTime(consent.validFrom)})`],
      [t.scope.validUntil, `${scope.validUntil} (${t.scope.endsAt(utcTime(consent.validUntil))})`],
      [t.scope.duration, scope.duration],
      [
        t.scope.afterEmployment,
        consent.coversAfterEmployment ? t.scope.afterEmploymentYes : t.scope.afterEmploymentNo,
      ],
    ],
  };
}

function noticeSection(consent: ConsentFacts, t: EvidenceStrings): LayoutBlock[] {
  const blocks: LayoutBlock[] = [
    { kind: 'heading', text: t.notice.heading, level: 2 },
    {
      kind: 'fields',
      rows: [
        [
          t.notice.template,
          t.notice.templateValue(consent.templateKey, consent.templateVersion, consent.locale),
        ],
        [t.notice.hash, consent.noticeSha256],
      ],
    },
    { kind: 'paragraph', text: t.notice.attached, size: 9, tone: 'muted' },
    { kind: 'rule' },
  ];
  for (const block of noticeBlocks(consent.noticeText)) {
    switch (block.kind) {
      case 'heading':
        blocks.push({ kind: 'heading', text: block.text, level: block.level <= 1 ? 2 : 3 });
        break;
      case 'paragraph':
        blocks.push(
          block.quoteDepth > 0
            ? { kind: 'paragraph', text: block.text, indent: 12 * block.quoteDepth, tone: 'muted' }
            : { kind: 'paragraph', text: block.text },
        );
        break;
      case 'listItem':
        blocks.push({
          kind: 'listItem',
          marker: block.marker,
          text: block.text,
          indent: 14 * block.depth,
        });
        break;
      case 'code':
        blocks.push({ kind: 'paragraph', text: block.text, size: 9, indent: 12 });
        break;
      case 'rule':
        blocks.push({ kind: 'rule' });
        break;
    }
  }
  blocks.push({ kind: 'rule' });
  return blocks;
}

function evidenceSection(
  evidence: {
    events: AuditReference[];
    seal: { subject: string; fingerprint: string; selfSigned: boolean };
    meUrl: string;
  },
  anchor: string,
  t: EvidenceStrings,
): LayoutBlock[] {
  return [
    { kind: 'heading', text: t.evidence.heading, level: 1 },
    { kind: 'paragraph', text: t.evidence.intro },
    {
      kind: 'table',
      size: 7,
      // Shares in points of the A4 content width: a whole leaf hash and time fit on one line.
      columns: [
        { header: t.evidence.seqHeader, share: 30 },
        { header: t.evidence.timeHeader, share: 95 },
        { header: t.evidence.eventHeader, share: 138 },
        { header: t.evidence.leafHeader, share: 252 },
      ],
      rows: evidence.events.map((event) => [
        String(event.seq),
        utcTime(event.occurredAt),
        describeEvent(event, t),
        event.leafHash,
      ]),
    },
    { kind: 'paragraph', text: anchor, tone: 'strong' },
    { kind: 'paragraph', text: t.evidence.howLeaf, size: 9, tone: 'muted' },
    { kind: 'heading', text: t.evidence.sealHeading, level: 2 },
    {
      kind: 'paragraph',
      text: t.evidence.sealText(evidence.seal.subject, evidence.seal.fingerprint),
    },
    ...(evidence.seal.selfSigned
      ? [{ kind: 'paragraph', text: t.evidence.selfSigned, tone: 'muted' } as LayoutBlock]
      : []),
    { kind: 'paragraph', text: t.evidence.verify },
    { kind: 'heading', text: t.evidence.rightsHeading, level: 2 },
    { kind: 'paragraph', text: t.evidence.rights(evidence.meUrl) },
  ];
}

function languageTag(locale: string): string {
  return locale === 'fr' ? 'fr-FR' : 'en-GB';
}
