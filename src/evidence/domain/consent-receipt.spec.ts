import {
  consentReceipt,
  consentStateAfter,
  ReceiptInput,
} from 'src/evidence/domain/consent-receipt';

describe('consentReceipt', () => {
  const input: ReceiptInput = {
    consent: {
      id: '11111111-1111-4111-8111-111111111111',
      personId: '33333333-3333-4333-8333-333333333333',
      status: 'granted',
      locale: 'fr',
      purpose: 'Portraits',
      channels: ['website', 'linkedin', 'instagram'],
      mediaTypes: ['photo'],
      territory: ['worldwide'],
      excludedUses: [],
      validFrom: new Date('2026-03-02T00:00:00Z'),
      validUntil: new Date('2028-03-02T00:00:00Z'),
      coversAfterEmployment: true,
      templateKey: 'image-rights',
      templateVersion: 1,
      noticeSha256: 'a'.repeat(64),
      requestedAt: new Date('2026-03-01T00:00:00Z'),
      answeredAt: new Date('2026-03-02T09:30:00Z'),
      method: 'email_link',
      endedAt: null,
    },
    decisions: [
      { channel: 'instagram', decision: 'refused', withdrawnAt: null },
      { channel: 'website', decision: 'accepted', withdrawnAt: null },
      { channel: 'linkedin', decision: 'accepted', withdrawnAt: new Date('2026-04-01T00:00:00Z') },
    ],
    withdrawals: [
      {
        id: 'w1',
        occurredAt: new Date('2026-04-01T00:00:00Z'),
        channels: ['linkedin'],
        wholeConsent: false,
        receivedVia: 'link',
      },
    ],
    events: [
      {
        seq: 1,
        action: 'consent.requested',
        occurredAt: new Date('2026-03-01T00:00:00Z'),
        leafHash: '1'.repeat(64),
        data: {},
      },
      {
        seq: 2,
        action: 'consent.granted',
        occurredAt: new Date('2026-03-02T09:30:00Z'),
        leafHash: '2'.repeat(64),
        data: {},
      },
      {
        seq: 3,
        action: 'evidence.sealed',
        occurredAt: new Date('2026-03-02T09:30:00Z'),
        leafHash: '3'.repeat(64),
        data: {},
      },
      {
        seq: 9,
        action: 'consent.withdrawn',
        occurredAt: new Date('2026-04-01T00:00:00Z'),
        leafHash: '9'.repeat(64),
        data: { wholeConsent: false },
      },
    ],
    documents: [
      {
        id: 'd1',
        kind: 'grant',
        withdrawalId: null,
        sha256: 'b'.repeat(64),
        createdAt: new Date('2026-03-02T09:30:00Z'),
        auditSeq: 3,
      },
      {
        id: 'd2',
        kind: 'withdrawal',
        withdrawalId: 'w1',
        sha256: 'c'.repeat(64),
        createdAt: new Date('2026-04-01T00:00:00Z'),
        auditSeq: 10,
      },
    ],
    controller: { name: 'Acme SAS', url: 'https://hr.example.com' },
    meUrl: 'https://hr.example.com/me',
    signLinkSentTo: 'p@example.com',
    scanSha256: null,
    documentUrl: (d) => `/documents/${d.id}`,
  };

  it('records the notice, the purpose, the channels as decided and withdrawn, and the durations', () => {
    const receipt = consentReceipt(input);
    expect(receipt).toMatchObject({
      recordId: input.consent.id,
      piiPrincipalId: input.consent.personId,
      piiControllers: [{ piiController: 'Acme SAS', piiControllerUrl: 'https://hr.example.com' }],
      consentTimestamp: '2026-03-02T09:30:00.000Z',
      notice: {
        templateKey: 'image-rights',
        version: 1,
        language: 'fr',
        hashAlgorithm: 'SHA-256',
        hash: 'a'.repeat(64),
      },
      purposes: [
        {
          purpose: 'Portraits',
          consentType: 'EXPLICIT',
          termination: '2028-03-02T00:00:00.000Z',
          piiCategory: ['image:photo'],
        },
      ],
      channels: {
        requested: ['website', 'linkedin', 'instagram'],
        accepted: ['website', 'linkedin'],
        refused: ['instagram'],
        withdrawn: ['linkedin'],
      },
      duration: {
        validFrom: '2026-03-02T00:00:00.000Z',
        validUntil: '2028-03-02T00:00:00.000Z',
        coversAfterEmployment: true,
      },
      method: { type: 'email_link', signLinkSentTo: 'p@example.com', scanSha256: null },
    });
    expect(receipt.withdrawalMethod).toContain('https://hr.example.com/me');
  });

  it('links each withdrawal to its receipt and each event to its audit leaf', () => {
    const receipt = consentReceipt(input);
    expect(receipt.withdrawals).toEqual([
      expect.objectContaining({
        withdrawalId: 'w1',
        receiptDocumentId: 'd2',
        withdrawalMethod: 'online, from the person’s manage link',
      }),
    ]);
    expect(receipt.events.map((e) => [e.eventType, e.eventState, e.auditSeq])).toEqual([
      ['consent.requested', 'requested', 1],
      ['consent.granted', 'given', 2],
      ['evidence.sealed', null, 3],
      ['consent.withdrawn', 'partially withdrawn', 9],
    ]);
    expect(receipt.evidence.map((e) => e.url)).toEqual(['/documents/d1', '/documents/d2']);
  });

  it('maps a whole withdrawal and the ends of a consent to their states', () => {
    expect(consentStateAfter({ action: 'consent.withdrawn', data: { wholeConsent: true } })).toBe(
      'withdrawn',
    );
    expect(consentStateAfter({ action: 'consent.revoked', data: {} })).toBe('invalidated');
    expect(consentStateAfter({ action: 'email.sent', data: {} })).toBeNull();
  });
});
