/** Plain inputs of the evidence documents: everything a PDF states, gathered before rendering. */

export const EVIDENCE_KINDS = ['grant', 'withdrawal', 'paper_cover'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export type EvidenceLocale = 'fr' | 'en';

/** One audit event, as the evidence cites it. */
export interface AuditReference {
  /** Leaf index in the audit log. */
  seq: number;
  action: string;
  occurredAt: Date;
  /** SHA-256(0x00 ‖ canonical bytes), hex. */
  leafHash: string;
  /** Kind of mail, for email events. */
  mailKind?: string;
}

export interface ConsentFacts {
  id: string;
  locale: EvidenceLocale;
  purpose: string;
  /** Channels asked for, in the order asked. */
  channels: string[];
  accepted: string[];
  refused: string[];
  mediaTypes: string[];
  territory: string[];
  excludedUses: string[];
  validFrom: Date;
  /** Exclusive. */
  validUntil: Date;
  coversAfterEmployment: boolean;
  templateKey: string;
  templateVersion: number;
  noticeText: string;
  noticeSha256: string;
  requestedAt: Date;
}

export interface PersonFacts {
  id: string;
  fullName: string;
  email: string;
}

export type GrantMethodFacts =
  | {
      method: 'email_link';
      signerName: string;
      signedAt: Date;
      ip: string | null;
      userAgent: string | null;
      /** The address the sign link was sent to, as recorded when the mail left. */
      sentTo: string | null;
    }
  | {
      method: 'paper';
      scanSha256: string;
      recordedAt: Date;
      recordedByKeyId: string | null;
    };

export interface SealFacts {
  subject: string;
  fingerprint: string;
  selfSigned: boolean;
}

interface DocumentFacts {
  documentId: string;
  issuedAt: Date;
  orgName: string;
  /** Where the person can ask for a new manage link. */
  meUrl: string;
  seal: SealFacts;
  person: PersonFacts;
  consent: ConsentFacts;
  /** Every audit event of the consent so far, by leaf index. */
  events: AuditReference[];
}

export interface GrantEvidence extends DocumentFacts {
  grant: GrantMethodFacts;
  /** The consent.granted event. */
  anchor: AuditReference;
}

export type WithdrawalVia = 'link' | 'letter' | 'email' | 'in_person';

export interface WithdrawalEvidence extends DocumentFacts {
  withdrawal: {
    id: string;
    channels: string[];
    wholeConsent: boolean;
    receivedVia: WithdrawalVia;
    reason: string | null;
    occurredAt: Date;
    recordedByKeyId: string | null;
    /** Channels still accepted after this withdrawal. */
    remaining: string[];
  };
  grantDocument: { id: string; sha256: string } | null;
  /** The consent.withdrawn event. */
  anchor: AuditReference;
}
