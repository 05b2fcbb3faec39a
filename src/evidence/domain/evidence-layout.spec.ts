import type {
  ConsentFacts,
  GrantEvidence,
  WithdrawalEvidence,
} from 'src/evidence/domain/evidence-facts';
import {
  EvidenceLayout,
  grantLayout,
  LayoutBlock,
  withdrawalLayout,
} from 'src/evidence/domain/evidence-layout';

const labels = {
  channels: { website: "Site web de l'entreprise", linkedin: 'LinkedIn', instagram: 'Instagram' },
  mediaTypes: { photo: 'Photo', video: 'Vidéo' },
  territory: { worldwide: 'monde entier' },
};
const HASH = 'a'.repeat(64);
const consent: ConsentFacts = {
  id: '11111111-1111-4111-8111-111111111111',
  locale: 'fr',
  purpose: 'Portraits pour la page carrières',
  channels: ['website', 'linkedin', 'instagram'],
  accepted: ['website', 'linkedin'],
  refused: ['instagram'],
  mediaTypes: ['photo'],
  territory: ['FR', 'BE'],
  excludedUses: ['publicité payante'],
  validFrom: new Date('2026-03-02T00:00:00Z'),
  validUntil: new Date('2028-03-02T00:00:00Z'),
  coversAfterEmployment: false,
  templateKey: 'image-rights',
  templateVersion: 1,
  noticeText: '# Autorisation\n\nTexte **exact**.\n\n- un\n- deux\n',
  noticeSha256: HASH,
  requestedAt: new Date('2026-03-01T08:00:00Z'),
};
const anchor = {
  seq: 7,
  action: 'consent.granted',
  occurredAt: new Date('2026-03-02T09:30:00Z'),
  leafHash: 'b'.repeat(64),
};
const base = {
  documentId: '22222222-2222-4222-8222-222222222222',
  issuedAt: new Date('2026-03-02T09:30:00Z'),
  orgName: 'Acme SAS',
  meUrl: 'https://hr.example.com/me',
  seal: { subject: 'CN=Acme SAS evidence seal', fingerprint: 'c'.repeat(64), selfSigned: false },
  person: {
    id: '33333333-3333-4333-8333-333333333333',
    fullName: 'Hélène Lefèvre-Françœur',
    email: 'helene@example.com',
  },
  consent,
  events: [
    {
      seq: 3,
      action: 'consent.requested',
      occurredAt: new Date('2026-03-01T08:00:00Z'),
      leafHash: 'd'.repeat(64),
    },
    {
      seq: 5,
      action: 'email.sent',
      occurredAt: new Date('2026-03-01T08:00:05Z'),
      leafHash: 'e'.repeat(64),
      mailKind: 'sign-request',
    },
    anchor,
  ],
  anchor,
};

function text(layout: EvidenceLayout): string {
  const of = (block: LayoutBlock): string[] => {
    switch (block.kind) {
      case 'fields':
        return block.rows.map(([label, value]) => `${label}: ${value}`);
      case 'table':
        return [
          block.columns.map((c) => c.header).join(' | '),
          ...block.rows.map((row) => row.join(' | ')),
        ];
      case 'listItem':
        return [`${block.marker} ${block.text}`];
      case 'rule':
      case 'pageBreak':
        return [`--${block.kind}--`];
      case 'title':
      case 'heading':
      case 'paragraph':
        return [block.text];
    }
  };
  return layout.blocks.flatMap(of).join('\n');
}

describe('grantLayout', () => {
  const grant: GrantEvidence = {
    ...base,
    grant: {
      method: 'email_link',
      signerName: 'Hélène Lefèvre-Françœur',
      signedAt: new Date('2026-03-02T09:30:00Z'),
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
      sentTo: 'helene@example.com',
    },
  };

  it('states the parties, the scope per channel, the signature and the notice with its hash', () => {
    const layout = grantLayout(grant, labels);
    const all = text(layout);
    expect(layout.kind).toBe('grant');
    expect(all).toContain('E-mail auquel le lien a été envoyé: helene@example.com');
    expect(all).toContain('Finalité | Portraits pour la page carrières');
    expect(all).toContain("Canaux acceptés | Site web de l'entreprise et LinkedIn");
    expect(all).toContain('Canaux refusés | Instagram');
    expect(all).toContain('Territoire | France et Belgique');
    expect(all).toContain('Utilisations exclues | publicité payante');
    expect(all).toContain('Nom complet saisi: Hélène Lefèvre-Françœur');
    expect(all).toContain('Date et heure (UTC): 2026-03-02 09:30:00 UTC');
    expect(all).toContain('Date et heure (Paris): 2 mars 2026 à 10:30:00 UTC+1');
    expect(all).toContain('Adresse IP: 203.0.113.7');
    expect(all).toContain(
      'Méthode: lien de signature à usage unique envoyé par e-mail à helene@example.com',
    );
    expect(all).toContain(`SHA-256 du texte présenté: ${HASH}`);
    expect(all).toContain('Modèle: image-rights, version 1, langue fr');
    expect(all).toContain('Texte exact.');
    expect(all).toContain('• deux');
  });

  it('ends on an evidence page with the events and the grant leaf', () => {
    const all = text(grantLayout(grant, labels));
    const evidence = all.slice(all.lastIndexOf('--pageBreak--'));
    expect(evidence).toContain(
      `5 | 2026-03-01 08:00:05 UTC | E-mail envoyé (demande de signature) | ${'e'.repeat(64)}`,
    );
    expect(evidence).toContain(
      `journal d'audit, feuille d'index 7, empreinte de feuille ${'b'.repeat(64)}`,
    );
    expect(evidence).toContain('c'.repeat(64));
    expect(evidence).not.toContain('auto-signé');
  });

  it('attaches the exact notice source and names the document in the seal', () => {
    const layout = grantLayout(grant, labels);
    expect(layout.attachments).toEqual([
      expect.objectContaining({ name: 'notice.md', content: consent.noticeText }),
    ]);
    expect(layout.sealReason).toBe(
      `Consent evidence grant ${base.documentId} for consent ${consent.id}`,
    );
    expect(layout.pageLabel(2, 3)).toBe('Page 2 sur 3');
  });

  it('makes a paper grant a cover naming the scan hash and who recorded it', () => {
    const layout = grantLayout(
      {
        ...grant,
        grant: {
          method: 'paper',
          scanSha256: 'f'.repeat(64),
          recordedAt: grant.issuedAt,
          recordedByKeyId: 'key-1',
        },
      },
      labels,
    );
    const all = text(layout);
    expect(layout.kind).toBe('paper_cover');
    expect(all).toContain("Page de garde scellée d'un consentement sur papier");
    expect(all).toContain(`SHA-256 du fichier numérisé : ${'f'.repeat(64)}`);
    expect(all).toContain("Enregistré par: service RH, clé d'API key-1");
    expect(all).not.toContain('Adresse IP');
  });
});

describe('withdrawalLayout', () => {
  const withdrawal: WithdrawalEvidence = {
    ...base,
    consent: { ...consent, locale: 'en' },
    withdrawal: {
      id: '44444444-4444-4444-8444-444444444444',
      channels: ['linkedin'],
      wholeConsent: false,
      receivedVia: 'link',
      reason: null,
      occurredAt: new Date('2026-04-01T12:00:00Z'),
      recordedByKeyId: null,
      remaining: ['website'],
    },
    grantDocument: { id: base.documentId, sha256: '9'.repeat(64) },
    anchor: {
      seq: 12,
      action: 'consent.withdrawn',
      occurredAt: new Date('2026-04-01T12:00:00Z'),
      leafHash: '8'.repeat(64),
    },
  };

  it('states what was withdrawn, what remains, how, when, and the grant it ends', () => {
    const layout = withdrawalLayout(withdrawal, {
      ...labels,
      channels: { ...labels.channels, website: 'Company website' },
    });
    const all = text(layout);
    expect(layout.kind).toBe('withdrawal');
    expect(layout.attachments).toEqual([]);
    expect(all).toContain('Extent: partial withdrawal (some channels)');
    expect(all).toContain('Channels withdrawn: LinkedIn');
    expect(all).toContain('Channels still accepted: Company website');
    expect(all).toContain('Received: online, from the person’s own link');
    expect(all).toContain('Recorded by: the person themselves');
    expect(all).toContain('Date and time (Paris): 1 April 2026 at 14:00:00 GMT+2');
    expect(all).toContain(`document ${base.documentId}, SHA-256 ${'9'.repeat(64)}`);
    expect(all).toContain(`Withdrawal event: audit log leaf index 12, leaf hash ${'8'.repeat(64)}`);
    expect(all).not.toContain('HR note');
  });
});
