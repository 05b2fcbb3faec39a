/**
 * The machine-readable receipt of a consent. Field names follow ISO/IEC TS 27560:2023 (consent
 * record information structure) where it has one, and the Kantara Initiative Consent Receipt
 * v1.1 otherwise (piiPrincipalId, piiControllers, collectionMethod, consentType, termination…),
 * in camelCase like the rest of the API; times are ISO 8601 UTC.
 */
import type { EvidenceKind } from 'src/evidence/domain/evidence-facts';

export const RECEIPT_SCHEMA_VERSION = 'consent-ledger-receipt/1';
export const RECEIPT_CONFORMS_TO = [
  'ISO/IEC TS 27560:2023',
  'Kantara Initiative Consent Receipt Specification v1.1',
];

export interface ReceiptInput {
  consent: {
    id: string;
    personId: string;
    status: string;
    locale: string;
    purpose: string;
    channels: string[];
    mediaTypes: string[];
    territory: string[];
    excludedUses: string[];
    validFrom: Date;
    validUntil: Date;
    coversAfterEmployment: boolean;
    templateKey: string;
    templateVersion: number;
    noticeSha256: string;
    requestedAt: Date;
    answeredAt: Date | null;
    method: 'email_link' | 'paper' | null;
    endedAt: Date | null;
  };
  decisions: { channel: string; decision: 'accepted' | 'refused'; withdrawnAt: Date | null }[];
  withdrawals: {
    id: string;
    occurredAt: Date;
    channels: string[];
    wholeConsent: boolean;
    receivedVia: string;
  }[];
  events: {
    seq: number;
    action: string;
    occurredAt: Date;
    leafHash: string;
    data: Record<string, unknown>;
  }[];
  documents: {
    id: string;
    kind: EvidenceKind;
    withdrawalId: string | null;
    sha256: string;
    createdAt: Date;
    auditSeq: number;
  }[];
  controller: { name: string; url: string };
  /** Where the person asks for a new manage link. */
  meUrl: string;
  signLinkSentTo: string | null;
  scanSha256: string | null;
  /** Path of the API serving a document, from its id and kind. */
  documentUrl: (document: {
    id: string;
    kind: EvidenceKind;
    withdrawalId: string | null;
  }) => string;
}

export interface ConsentReceipt {
  schemaVersion: string;
  conformsTo: string[];
  recordId: string;
  piiPrincipalId: string;
  piiControllers: { piiController: string; piiControllerUrl: string }[];
  language: string;
  jurisdiction: string;
  status: string;
  consentTimestamp: string | null;
  collectionMethod: string | null;
  notice: {
    templateKey: string;
    version: number;
    language: string;
    hashAlgorithm: string;
    hash: string;
  };
  purposes: {
    purpose: string;
    purposeCategory: string[];
    consentType: string;
    piiCategory: string[];
    primaryPurpose: boolean;
    termination: string;
    thirdPartyDisclosure: boolean;
  }[];
  channels: { requested: string[]; accepted: string[]; refused: string[]; withdrawn: string[] };
  media: string[];
  territory: string[];
  excludedUses: string[];
  duration: { validFrom: string; validUntil: string; coversAfterEmployment: boolean };
  method: { type: string | null; signLinkSentTo: string | null; scanSha256: string | null };
  withdrawalMethod: string;
  withdrawals: {
    withdrawalId: string;
    eventTime: string;
    channels: string[];
    wholeConsent: boolean;
    withdrawalMethod: string;
    receiptDocumentId: string | null;
  }[];
  events: {
    eventTime: string;
    eventType: string;
    eventState: string | null;
    auditSeq: number;
    leafHash: string;
  }[];
  evidence: {
    documentId: string;
    kind: string;
    sha256: string;
    createdAt: string;
    auditSeq: number;
    url: string;
  }[];
  sensitive: boolean;
}

const COLLECTION_METHODS = {
  email_link: 'emailed single-use link, typed full name as signature',
  paper: 'signed paper form, scanned',
} as const;

const WITHDRAWAL_METHODS: Record<string, string> = {
  link: 'online, from the person’s manage link',
  letter: 'by letter, recorded by HR',
  email: 'by email, recorded by HR',
  in_person: 'in person, recorded by HR',
};

export function consentReceipt(input: ReceiptInput): ConsentReceipt {
  const { consent } = input;
  const decided = (value: 'accepted' | 'refused') =>
    consent.channels.filter((c) =>
      input.decisions.some((d) => d.channel === c && d.decision === value),
    );
  const withdrawn = consent.channels.filter((c) =>
    input.decisions.some((d) => d.channel === c && d.withdrawnAt),
  );
  return {
    schemaVersion: RECEIPT_SCHEMA_VERSION,
    conformsTo: RECEIPT_CONFORMS_TO,
    recordId: consent.id,
    piiPrincipalId: consent.personId,
    piiControllers: [
      { piiController: input.controller.name, piiControllerUrl: input.controller.url },
    ],
    language: consent.locale,
    jurisdiction: 'FR',
    status: consent.status,
    consentTimestamp: consent.answeredAt?.toISOString() ?? null,
    collectionMethod: consent.method ? COLLECTION_METHODS[consent.method] : null,
    notice: {
      templateKey: consent.templateKey,
      version: consent.templateVersion,
      language: consent.locale,
      hashAlgorithm: 'SHA-256',
      hash: consent.noticeSha256,
    },
    purposes: [
      {
        purpose: consent.purpose,
        purposeCategory: ['image rights', 'communication'],
        consentType: 'EXPLICIT',
        piiCategory: consent.mediaTypes.map((media) => `image:${media}`),
        primaryPurpose: true,
        termination: consent.validUntil.toISOString(),
        thirdPartyDisclosure: false,
      },
    ],
    channels: {
      requested: consent.channels,
      accepted: decided('accepted'),
      refused: decided('refused'),
      withdrawn,
    },
    media: consent.mediaTypes,
    territory: consent.territory,
    excludedUses: consent.excludedUses,
    duration: {
      validFrom: consent.validFrom.toISOString(),
      validUntil: consent.validUntil.toISOString(),
      coversAfterEmployment: consent.coversAfterEmployment,
    },
    method: {
      type: consent.method,
      signLinkSentTo: input.signLinkSentTo,
      scanSha256: input.scanSha256,
    },
    withdrawalMethod:
      `at any time, for some or all channels, without giving a reason: from the personal link in every email ` +
      `about it, by asking for a link at ${input.meUrl}, or by writing to HR`,
    withdrawals: input.withdrawals.map((w) => ({
      withdrawalId: w.id,
      eventTime: w.occurredAt.toISOString(),
      channels: w.channels,
      wholeConsent: w.wholeConsent,
      withdrawalMethod: WITHDRAWAL_METHODS[w.receivedVia] ?? w.receivedVia,
      receiptDocumentId: input.documents.find((d) => d.withdrawalId === w.id)?.id ?? null,
    })),
    events: input.events.map((event) => ({
      eventTime: event.occurredAt.toISOString(),
      eventType: event.action,
      eventState: consentStateAfter(event),
      auditSeq: event.seq,
      leafHash: event.leafHash,
    })),
    evidence: input.documents.map((document) => ({
      documentId: document.id,
      kind: document.kind,
      sha256: document.sha256,
      createdAt: document.createdAt.toISOString(),
      auditSeq: document.auditSeq,
      url: input.documentUrl(document),
    })),
    sensitive: false,
  };
}

/** The consent's state once the event happened (TS 27560 event state); null for other events. */
export function consentStateAfter(event: {
  action: string;
  data: Record<string, unknown>;
}): string | null {
  switch (event.action) {
    case 'consent.requested':
    case 'consent.link_opened':
      return 'requested';
    case 'consent.granted':
      return 'given';
    case 'consent.refused':
      return 'refused';
    case 'consent.withdrawn':
      return event.data.wholeConsent === true ? 'withdrawn' : 'partially withdrawn';
    case 'consent.expired':
      return 'expired';
    case 'consent.lapsed':
      return 'unanswered';
    case 'consent.revoked':
    case 'consent.superseded':
      return 'invalidated';
    default:
      return null;
  }
}
