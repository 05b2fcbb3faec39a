/** What a PDF someone holds is, compared with what this service issued. */

export const EVIDENCE_VERDICTS = ['authentic', 'altered', 'unknown'] as const;
export type EvidenceVerdict = (typeof EVIDENCE_VERDICTS)[number];

export interface SignatureFindings {
  present: boolean;
  intact: boolean;
  coversWholeFile: boolean;
  signedByUs: boolean;
}

/**
 * authentic: byte-identical to an issued document and its seal holds. altered: it claims to be,
 * or was sealed as, one of ours but is not byte-identical or its seal is broken. unknown: neither.
 */
export function evidenceVerdict(input: {
  issued: boolean;
  claimsOurs: boolean;
  signature: SignatureFindings;
}): EvidenceVerdict {
  const { issued, claimsOurs, signature } = input;
  if (issued && signature.intact && signature.coversWholeFile && signature.signedByUs)
    return 'authentic';
  if (issued || claimsOurs || signature.signedByUs) return 'altered';
  return 'unknown';
}

const REASON =
  /^Consent evidence [a-z_]+ ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) for consent /;

/** The document id a seal's /Reason names, as written by the evidence layouts. */
export function claimedDocumentId(reason: string | null): string | null {
  return (reason && REASON.exec(reason)?.[1]) || null;
}
