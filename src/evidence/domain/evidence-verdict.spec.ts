import { claimedDocumentId, evidenceVerdict } from 'src/evidence/domain/evidence-verdict';

const sound = { present: true, intact: true, coversWholeFile: true, signedByUs: true };

describe('evidenceVerdict', () => {
  it('calls authentic only an issued document whose seal holds over the whole file', () => {
    expect(evidenceVerdict({ issued: true, claimsOurs: false, signature: sound })).toBe(
      'authentic',
    );
    expect(
      evidenceVerdict({
        issued: true,
        claimsOurs: false,
        signature: { ...sound, coversWholeFile: false },
      }),
    ).toBe('altered');
  });

  it('calls altered a copy that claims to be ours or carries our seal', () => {
    expect(
      evidenceVerdict({ issued: false, claimsOurs: true, signature: { ...sound, intact: false } }),
    ).toBe('altered');
    expect(evidenceVerdict({ issued: false, claimsOurs: false, signature: sound })).toBe('altered');
  });

  it('calls unknown anything else', () => {
    const none = { present: false, intact: false, coversWholeFile: false, signedByUs: false };
    expect(evidenceVerdict({ issued: false, claimsOurs: false, signature: none })).toBe('unknown');
  });

  it('reads the document id a seal names', () => {
    const id = '6f1c2d3e-0000-4000-8000-000000000001';
    expect(claimedDocumentId(`Consent evidence paper_cover ${id} for consent x`)).toBe(id);
    expect(claimedDocumentId('Signed by someone')).toBeNull();
    expect(claimedDocumentId(null)).toBeNull();
  });
});
