import type { EvidenceLocale, WithdrawalVia } from 'src/evidence/domain/evidence-facts';

/** The wording of the evidence documents, in the language of the consent. */
export interface EvidenceStrings {
  pageLabel: (page: number, pages: number) => string;
  yes: string;
  no: string;
  none: string;
  notRecorded: string;
  documentRef: (documentId: string, consentId: string, issuedAt: string) => string;
  grant: { title: string; paperTitle: string; intro: string; paperIntro: string };
  withdrawal: { title: string; intro: string };
  parties: {
    heading: string;
    organisation: string;
    person: string;
    linkSentTo: string;
    email: string;
    personId: string;
  };
  scope: {
    heading: string;
    itemHeader: string;
    valueHeader: string;
    purpose: string;
    accepted: string;
    refused: string;
    media: string;
    territory: string;
    excluded: string;
    validFrom: string;
    validUntil: string;
    endsAt: (utc: string) => string;
    duration: string;
    afterEmployment: string;
    afterEmploymentYes: string;
    afterEmploymentNo: string;
  };
  signature: {
    heading: string;
    typedName: string;
    timeUtc: string;
    timeParis: string;
    ip: string;
    userAgent: string;
    method: string;
    linkMethod: (address: string) => string;
    linkSteps: string;
    paperMethod: (scanSha256: string) => string;
    paperRecordedBy: string;
    staffKey: (keyId: string) => string;
  };
  notice: {
    heading: string;
    template: string;
    templateValue: (key: string, version: number, language: string) => string;
    hash: string;
    attached: string;
    textHeading: string;
  };
  withdrawn: {
    heading: string;
    scopeWhole: string;
    scopePartial: string;
    extent: string;
    channels: string;
    remaining: string;
    receivedVia: string;
    via: Record<WithdrawalVia, string>;
    recordedBy: string;
    byPerson: string;
    note: string;
    time: string;
    effect: string;
    grantDocument: string;
    grantDocumentValue: (id: string, sha256: string) => string;
  };
  evidence: {
    heading: string;
    intro: string;
    seqHeader: string;
    timeHeader: string;
    eventHeader: string;
    leafHeader: string;
    anchorGrant: (seq: number, leafHash: string) => string;
    anchorWithdrawal: (seq: number, leafHash: string) => string;
    howLeaf: string;
    sealHeading: string;
    sealText: (subject: string, fingerprint: string) => string;
    selfSigned: string;
    verify: string;
    rightsHeading: string;
    rights: (meUrl: string) => string;
  };
  events: Record<string, string>;
  mailKinds: Record<string, string>;
}

const FR: EvidenceStrings = {
  pageLabel: (page, pages) => `Page ${page} sur ${pages}`,
  yes: 'oui',
  no: 'non',
  none: 'aucun',
  notRecorded: 'non enregistré',
  documentRef: (documentId, consentId, issuedAt) =>
    `Document ${documentId} · autorisation ${consentId} · émis le ${issuedAt}`,
  grant: {
    title: "Preuve de consentement à l'utilisation de l'image",
    paperTitle: "Page de garde scellée d'un consentement sur papier",
    intro:
      "Ce document atteste de l'accord donné par la personne ci-dessous, canal par canal, sur le texte reproduit intégralement plus loin, et des circonstances de sa signature électronique.",
    paperIntro:
      "Ce document accompagne le formulaire papier signé par la personne ci-dessous et numérisé : il en fixe l'empreinte, la portée acceptée et le texte de référence.",
  },
  withdrawal: {
    title: "Reçu de retrait d'un consentement à l'utilisation de l'image",
    intro:
      "Ce document atteste du retrait, par la personne ci-dessous, de tout ou partie de l'autorisation qu'elle avait donnée. Aucune raison n'a été demandée.",
  },
  parties: {
    heading: 'Parties',
    organisation: 'Organisation (responsable du traitement)',
    person: 'Personne',
    linkSentTo: 'E-mail auquel le lien a été envoyé',
    email: 'E-mail',
    personId: 'Identifiant de la personne',
  },
  scope: {
    heading: "Portée de l'autorisation",
    itemHeader: 'Élément',
    valueHeader: 'Détail',
    purpose: 'Finalité',
    accepted: 'Canaux acceptés',
    refused: 'Canaux refusés',
    media: 'Types de médias',
    territory: 'Territoire',
    excluded: 'Utilisations exclues',
    validFrom: 'Valable à partir du',
    validUntil: "Valable jusqu'au (inclus)",
    endsAt: (utc) => `fin à ${utc}`,
    duration: 'Durée',
    afterEmployment: 'Après le départ de la personne',
    afterEmploymentYes: "reste valable jusqu'à son terme",
    afterEmploymentNo: 'prend fin le jour du départ',
  },
  signature: {
    heading: 'Signature',
    typedName: 'Nom complet saisi',
    timeUtc: 'Date et heure (UTC)',
    timeParis: 'Date et heure (Paris)',
    ip: 'Adresse IP',
    userAgent: 'Navigateur (user agent)',
    method: 'Méthode',
    linkMethod: (address) => `lien de signature à usage unique envoyé par e-mail à ${address}`,
    linkSteps:
      "La personne a ouvert le lien, lu le texte, coché « J'ai lu le texte de l'autorisation », coché elle-même les canaux acceptés (aucun n'était coché d'avance) et saisi son nom complet en guise de signature (signature électronique simple, articles 1366 et 1367 du Code civil).",
    paperMethod: (scanSha256) =>
      `formulaire papier signé, numérisé ; SHA-256 du fichier numérisé : ${scanSha256}`,
    paperRecordedBy: 'Enregistré par',
    staffKey: (keyId) => `service RH, clé d'API ${keyId}`,
  },
  notice: {
    heading: "Texte de l'autorisation",
    template: 'Modèle',
    templateValue: (key, version, language) => `${key}, version ${version}, langue ${language}`,
    hash: 'SHA-256 du texte présenté',
    attached:
      "Le texte source exact (Markdown, UTF-8), dont l'empreinte est ci-dessus, est joint à ce PDF sous le nom notice.md. Il est reproduit ci-dessous tel qu'il a été présenté.",
    textHeading: 'Texte présenté à la personne',
  },
  withdrawn: {
    heading: 'Retrait',
    scopeWhole: "retrait de toute l'autorisation",
    scopePartial: 'retrait partiel (certains canaux)',
    extent: 'Étendue',
    channels: 'Canaux retirés',
    remaining: 'Canaux toujours acceptés',
    receivedVia: 'Reçu',
    via: {
      link: 'en ligne, depuis le lien personnel de la personne',
      letter: 'par courrier, enregistré par le service RH',
      email: 'par e-mail, enregistré par le service RH',
      in_person: 'en personne, enregistré par le service RH',
    },
    recordedBy: 'Enregistré par',
    byPerson: 'la personne elle-même',
    note: 'Note du service RH',
    time: 'Date et heure du retrait',
    effect:
      "À compter de cet instant, aucune nouvelle utilisation n'est faite pour ce qui a été retiré. Les utilisations antérieures conformes à l'autorisation restent valables.",
    grantDocument: "Preuve de l'accord",
    grantDocumentValue: (id, sha256) => `document ${id}, SHA-256 ${sha256}`,
  },
  evidence: {
    heading: 'Éléments de preuve',
    intro:
      "Événements de cette autorisation enregistrés dans le journal d'audit, dans l'ordre. Chacun est une feuille d'un arbre de Merkle (RFC 9162) dont les racines sont signées (Ed25519) à intervalles réguliers.",
    seqHeader: 'Feuille n°',
    timeHeader: 'Date et heure (UTC)',
    eventHeader: 'Événement',
    leafHeader: 'Empreinte de la feuille (SHA-256)',
    anchorGrant: (seq, leafHash) =>
      `Événement d'accord : journal d'audit, feuille d'index ${seq}, empreinte de feuille ${leafHash}`,
    anchorWithdrawal: (seq, leafHash) =>
      `Événement de retrait : journal d'audit, feuille d'index ${seq}, empreinte de feuille ${leafHash}`,
    howLeaf:
      "L'empreinte d'une feuille est le SHA-256 de l'octet 0x00 suivi du JSON canonique (RFC 8785) de l'événement. Une preuve d'inclusion relie chaque feuille à une racine signée, que l'on peut vérifier sans faire confiance à la base de données.",
    sealHeading: 'Sceau électronique',
    sealText: (subject, fingerprint) =>
      `Ce PDF est scellé par une signature électronique PAdES (ETSI.CAdES.detached, SHA-256) couvrant l'intégralité du fichier, avec le certificat « ${subject} » (empreinte SHA-256 ${fingerprint}). La modification d'un seul octet invalide le sceau.`,
    selfSigned:
      'Le certificat utilisé est auto-signé : il garantit l’intégrité du document mais ne vaut pas identification par un tiers de confiance.',
    verify:
      "Pour vérifier : ouvrir le PDF dans un lecteur PDF (panneau des signatures), ou le soumettre au service de vérification de l'organisation, qui indique s'il est identique octet pour octet à un document émis.",
    rightsHeading: 'Retrait',
    rights: (meUrl) =>
      `La personne peut retirer son autorisation à tout moment, pour tout ou partie des canaux, sans se justifier : depuis le lien personnel de ses e-mails, en demandant un lien sur ${meUrl}, ou en écrivant au service RH.`,
  },
  events: {
    'consent.requested': 'Demande envoyée par le service RH',
    'consent.link_opened': 'Lien de signature ouvert',
    'consent.granted': 'Accord signé',
    'consent.refused': 'Refus',
    'consent.lapsed': 'Sans réponse, lien expiré',
    'consent.withdrawn': 'Retrait',
    'consent.expired': 'Arrivée à échéance',
    'consent.revoked': 'Révocation',
    'consent.superseded': 'Remplacement par un renouvellement',
    'evidence.sealed': 'Preuve scellée',
    'email.queued': 'E-mail préparé',
    'email.sent': 'E-mail envoyé',
    'email.failed': "Échec d'envoi d'e-mail",
    'reminder.sent': 'Rappel envoyé',
  },
  mailKinds: {
    'sign-request': 'demande de signature',
    granted: "confirmation de l'accord",
    declined: 'confirmation du refus',
    withdrawn: 'confirmation du retrait',
    'manage-link': 'lien de gestion',
    'renewal-request': 'demande de renouvellement',
    'expiry-notice': "avis d'échéance",
  },
};

const EN: EvidenceStrings = {
  pageLabel: (page, pages) => `Page ${page} of ${pages}`,
  yes: 'yes',
  no: 'no',
  none: 'none',
  notRecorded: 'not recorded',
  documentRef: (documentId, consentId, issuedAt) =>
    `Document ${documentId} · consent ${consentId} · issued ${issuedAt}`,
  grant: {
    title: 'Evidence of consent to the use of one’s image',
    paperTitle: 'Sealed cover of a consent given on paper',
    intro:
      'This document attests the consent given by the person below, channel by channel, to the text reproduced in full further down, and the circumstances of their electronic signature.',
    paperIntro:
      'This document accompanies the paper form signed by the person below and scanned: it fixes its fingerprint, the scope accepted and the reference text.',
  },
  withdrawal: {
    title: 'Receipt for the withdrawal of a consent to the use of one’s image',
    intro:
      'This document attests that the person below withdrew all or part of the consent they had given. No reason was asked.',
  },
  parties: {
    heading: 'Parties',
    organisation: 'Organisation (data controller)',
    person: 'Person',
    linkSentTo: 'Email the link was sent to',
    email: 'Email',
    personId: 'Person id',
  },
  scope: {
    heading: 'Scope of the consent',
    itemHeader: 'Item',
    valueHeader: 'Detail',
    purpose: 'Purpose',
    accepted: 'Accepted channels',
    refused: 'Refused channels',
    media: 'Media types',
    territory: 'Territory',
    excluded: 'Excluded uses',
    validFrom: 'Valid from',
    validUntil: 'Valid until (inclusive)',
    endsAt: (utc) => `ends at ${utc}`,
    duration: 'Duration',
    afterEmployment: 'After the person leaves',
    afterEmploymentYes: 'remains valid until it ends',
    afterEmploymentNo: 'ends on the day they leave',
  },
  signature: {
    heading: 'Signature',
    typedName: 'Full name typed',
    timeUtc: 'Date and time (UTC)',
    timeParis: 'Date and time (Paris)',
    ip: 'IP address',
    userAgent: 'Browser (user agent)',
    method: 'Method',
    linkMethod: (address) => `emailed single-use link to ${address}`,
    linkSteps:
      'The person opened the link, read the text, ticked “I have read the text of the authorisation”, ticked the accepted channels themselves (none was ticked in advance) and typed their full name as their signature (simple electronic signature, French Civil Code articles 1366 and 1367).',
    paperMethod: (scanSha256) =>
      `paper form, signed and scanned; SHA-256 of the scan: ${scanSha256}`,
    paperRecordedBy: 'Recorded by',
    staffKey: (keyId) => `HR, API key ${keyId}`,
  },
  notice: {
    heading: 'Text of the consent',
    template: 'Template',
    templateValue: (key, version, language) => `${key}, version ${version}, language ${language}`,
    hash: 'SHA-256 of the text shown',
    attached:
      'The exact source text (Markdown, UTF-8), whose fingerprint is above, is attached to this PDF as notice.md. It is reproduced below as it was shown.',
    textHeading: 'Text shown to the person',
  },
  withdrawn: {
    heading: 'Withdrawal',
    scopeWhole: 'the whole consent is withdrawn',
    scopePartial: 'partial withdrawal (some channels)',
    extent: 'Extent',
    channels: 'Channels withdrawn',
    remaining: 'Channels still accepted',
    receivedVia: 'Received',
    via: {
      link: 'online, from the person’s own link',
      letter: 'by letter, recorded by HR',
      email: 'by email, recorded by HR',
      in_person: 'in person, recorded by HR',
    },
    recordedBy: 'Recorded by',
    byPerson: 'the person themselves',
    note: 'HR note',
    time: 'Date and time of the withdrawal',
    effect:
      'From this moment, no new use is made of what was withdrawn. Earlier uses that complied with the consent remain valid.',
    grantDocument: 'Evidence of the consent',
    grantDocumentValue: (id, sha256) => `document ${id}, SHA-256 ${sha256}`,
  },
  evidence: {
    heading: 'Evidence',
    intro:
      'Events of this consent recorded in the audit log, in order. Each is a leaf of a Merkle tree (RFC 9162) whose roots are signed (Ed25519) at regular intervals.',
    seqHeader: 'Leaf no.',
    timeHeader: 'Date and time (UTC)',
    eventHeader: 'Event',
    leafHeader: 'Leaf hash (SHA-256)',
    anchorGrant: (seq, leafHash) =>
      `Grant event: audit log leaf index ${seq}, leaf hash ${leafHash}`,
    anchorWithdrawal: (seq, leafHash) =>
      `Withdrawal event: audit log leaf index ${seq}, leaf hash ${leafHash}`,
    howLeaf:
      'A leaf hash is the SHA-256 of the byte 0x00 followed by the canonical JSON (RFC 8785) of the event. An inclusion proof links each leaf to a signed root, which can be checked without trusting the database.',
    sealHeading: 'Electronic seal',
    sealText: (subject, fingerprint) =>
      `This PDF is sealed with a PAdES electronic signature (ETSI.CAdES.detached, SHA-256) covering the whole file, with the certificate “${subject}” (SHA-256 fingerprint ${fingerprint}). Changing a single byte breaks the seal.`,
    selfSigned:
      'The certificate used is self-signed: it guarantees the integrity of the document but is not an identification by a trusted third party.',
    verify:
      'To check: open the PDF in a PDF reader (signatures panel), or submit it to the organisation’s verification service, which says whether it is byte-identical to a document it issued.',
    rightsHeading: 'Withdrawal',
    rights: (meUrl) =>
      `The person may withdraw at any time, for some or all channels, without giving a reason: from the personal link in their emails, by asking for a link at ${meUrl}, or by writing to HR.`,
  },
  events: {
    'consent.requested': 'Request sent by HR',
    'consent.link_opened': 'Sign link opened',
    'consent.granted': 'Consent signed',
    'consent.refused': 'Refusal',
    'consent.lapsed': 'No answer, link expired',
    'consent.withdrawn': 'Withdrawal',
    'consent.expired': 'Expiry',
    'consent.revoked': 'Revocation',
    'consent.superseded': 'Superseded by a renewal',
    'evidence.sealed': 'Evidence sealed',
    'email.queued': 'Email prepared',
    'email.sent': 'Email sent',
    'email.failed': 'Email failed',
    'reminder.sent': 'Reminder sent',
  },
  mailKinds: {
    'sign-request': 'sign request',
    granted: 'confirmation of consent',
    declined: 'confirmation of refusal',
    withdrawn: 'confirmation of withdrawal',
    'manage-link': 'manage link',
    'renewal-request': 'renewal request',
    'expiry-notice': 'expiry notice',
  },
};

export function evidenceStrings(locale: EvidenceLocale): EvidenceStrings {
  return locale === 'fr' ? FR : EN;
}
