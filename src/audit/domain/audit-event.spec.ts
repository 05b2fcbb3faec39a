import { createHash } from 'node:crypto';
import {
  auditEventRecord,
  AuditEventInput,
  bytesAtSeq,
  canonicalBytes,
  canonicalTemplate,
  isCheckpointEvent,
  parseAuditEvent,
  seqInCanonical,
  staffActor,
} from 'src/audit/domain/audit-event';
import { leafHash } from 'src/audit/domain/merkle';

const AT = new Date('2026-03-01T09:30:00.123Z');
const PERSON = '7b0e1c52-3d3f-4a55-9a8e-1f0c2b3a4d5e';

const granted: AuditEventInput = {
  action: 'consent.granted',
  actor: { type: 'person', id: PERSON },
  personId: PERSON,
  consentId: 'A1B2C3D4-0000-4000-8000-000000000001',
  data: { channels: ['intranet', 'linkedin'], noticeSha256: 'ab'.repeat(32) },
};

describe('audit event bytes', () => {
  it('serializes with RFC 8785: sorted keys, no spaces, position and time inside', () => {
    const bytes = canonicalBytes(auditEventRecord(42, AT, granted));
    expect(bytes.toString('utf8')).toBe(
      '{"action":"consent.granted","actor":{"id":"7b0e1c52-3d3f-4a55-9a8e-1f0c2b3a4d5e","type":"person"},' +
        '"consentId":"a1b2c3d4-0000-4000-8000-000000000001",' +
        `"data":{"channels":["intranet","linkedin"],"noticeSha256":"${'ab'.repeat(32)}"},` +
        '"occurredAt":"2026-03-01T09:30:00.123Z","personId":"7b0e1c52-3d3f-4a55-9a8e-1f0c2b3a4d5e","seq":42,"v":1}',
    );
  });

  it('gives the same bytes for the same event whatever the key order of the input', () => {
    const reordered: AuditEventInput = {
      data: { noticeSha256: 'ab'.repeat(32), channels: ['intranet', 'linkedin'] },
      consentId: granted.consentId,
      personId: PERSON,
      actor: { id: PERSON, type: 'person' },
      action: 'consent.granted',
    };
    expect(
      canonicalBytes(auditEventRecord(1, AT, reordered)).equals(
        canonicalBytes(auditEventRecord(1, AT, granted)),
      ),
    ).toBe(true);
  });

  it('round-trips through parse, and reads the seq and checkpoint marker from the bytes alone', () => {
    const bytes = canonicalBytes(auditEventRecord(1234567, AT, granted));
    expect(parseAuditEvent(bytes)).toMatchObject({ seq: 1234567, action: 'consent.granted', v: 1 });
    expect(seqInCanonical(bytes)).toBe(1234567);
    expect(isCheckpointEvent(bytes)).toBe(false);
    const checkpoint = canonicalBytes(
      auditEventRecord(9, AT, {
        action: 'audit.checkpoint',
        actor: { type: 'system', id: 'audit' },
        data: { treeSize: 9 },
      }),
    );
    expect(isCheckpointEvent(checkpoint)).toBe(true);
    for (const malformed of [
      '{"seq":"5"}',
      '{"a":1,"seq":05,"v":1}',
      '{"a":1,"seq":,"v":1}',
      '{"a":1,"seq":5,"v":1',
      '{"a":1,"sequence":5,"v":1}',
    ]) {
      expect(seqInCanonical(Buffer.from(malformed))).toBeNull();
    }
    expect(seqInCanonical(Buffer.from('{"a":1,"seq":0,"v":12}'))).toBe(0);
  });

  it('keeps the staff key label but drops one that holds an email address', () => {
    expect(staffActor({ keyId: 'k1', keyName: 'Legal team', role: 'hr_legal' })).toEqual({
      type: 'staff',
      id: 'k1',
      keyName: 'Legal team',
    });
    expect(staffActor({ keyId: 'k1', keyName: 'alice@example.com', role: 'admin' })).toEqual({
      type: 'staff',
      id: 'k1',
    });
  });

  it.each<[string, Partial<AuditEventInput>, RegExp]>([
    ['an unknown action', { action: 'consent.eaten' as never }, /unknown audit action/],
    ['a subject id that is not a UUID', { personId: 'alice' }, /personId must be a UUID/],
    ['an actor id with spaces', { actor: { type: 'system', id: 'the cron job' } }, /actor id/],
    [
      'an email address in data',
      { data: { to: 'alice@example.com' } },
      /data\.to looks like an email/,
    ],
    ['free text in data', { data: { note: 'x'.repeat(600) } }, /longer than 512/],
    ['a value that is not JSON', { data: { when: Symbol('x') } }, /must be JSON/],
    ['a non-finite number', { data: { n: Number.NaN } }, /finite number/],
    ['a class instance', { data: { m: new Map() } }, /must be JSON/],
  ])('refuses %s', (_, change, message) => {
    expect(() => auditEventRecord(0, AT, { ...granted, ...change })).toThrow(message);
  });

  it('has a leaf hash anyone can recompute as SHA-256(0x00 ‖ bytes)', () => {
    const bytes = canonicalBytes(auditEventRecord(0, AT, granted));
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.of(0), bytes]))
      .digest();
    expect(leafHash(bytes).equals(expected)).toBe(true);
  });
});

describe('the canonical template of an event whose seq is not known yet', () => {
  const withLateKeys: AuditEventInput = {
    action: 'asset.blocked',
    actor: { type: 'staff', id: 'key-1', keyName: 'HR ✓ team' },
    assetId: '0b2c1f4e-9d3a-4c2b-8e1f-5a6b7c8d9e0f',
    data: { zeta: 'é', seq: 3, v: [1, { w: null }], occurredAt: 'x' },
  };

  it.each([0, 7, 10, 12_345, Number.MAX_SAFE_INTEGER])(
    'gives at seq %d the very bytes of the record',
    (seq) => {
      for (const input of [granted, withLateKeys]) {
        expect(bytesAtSeq(canonicalTemplate(AT, input), seq)).toEqual(
          canonicalBytes(auditEventRecord(seq, AT, input)),
        );
      }
    },
  );

  it('refuses what the record refuses, and an event that could outgrow the limit', () => {
    expect(() => canonicalTemplate(AT, { ...granted, personId: 'alice' })).toThrow(/UUID/);
    const big = { ...granted, data: { parts: Array.from({ length: 40 }, () => 'x'.repeat(500)) } };
    expect(() => canonicalTemplate(AT, big)).toThrow(/the limit is/);
  });
});
