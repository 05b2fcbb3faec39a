import type { Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AppConfig } from 'src/config/app-config';
import { createSelfSignedPkcs12 } from 'src/evidence/domain/signing-credential';
import {
  DEV_SEAL_DIR,
  DEV_SEAL_P12,
  DEV_SEAL_PASSPHRASE,
  loadSigningCredential,
} from 'src/evidence/signing-credential.loader';

describe('loadSigningCredential', () => {
  const now = new Date('2026-03-02T09:30:00Z');
  let dataDir: string;
  const logger = { warn: jest.fn() } as unknown as Logger;
  const config = (overrides: Partial<AppConfig> = {}) =>
    ({
      dataDir,
      orgName: 'Acme SAS',
      pdfSigningP12: undefined,
      pdfSigningPassphrase: '',
      ...overrides,
    }) as AppConfig;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seal-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('generates a self-signed development certificate once, private to the service, and says so', () => {
    const first = loadSigningCredential(config(), logger, now);
    const second = loadSigningCredential(config(), logger, now);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(first.certificate.subject).toContain('Acme SAS');
    expect(logger.warn).toHaveBeenCalledTimes(1);
    for (const file of [DEV_SEAL_P12, DEV_SEAL_PASSPHRASE]) {
      expect(fs.statSync(path.join(dataDir, DEV_SEAL_DIR, file)).mode & 0o777).toBe(0o600);
    }
    expect(fs.readdirSync(dataDir)).toEqual([DEV_SEAL_DIR]);
  });

  it('reads the organisation certificate from a path or from base64', () => {
    const p12 = createSelfSignedPkcs12('Org Réelle', 's3cret', now);
    const file = path.join(dataDir, 'org.p12');
    fs.writeFileSync(file, p12);
    const fromPath = loadSigningCredential(
      config({ pdfSigningP12: file, pdfSigningPassphrase: 's3cret' }),
      logger,
      now,
    );
    const fromBase64 = loadSigningCredential(
      config({ pdfSigningP12: p12.toString('base64'), pdfSigningPassphrase: 's3cret' }),
      logger,
      now,
    );
    expect(fromPath.fingerprint).toBe(fromBase64.fingerprint);
    expect(fromPath.certificate.subject).toContain('Org Réelle');
    expect(fs.existsSync(path.join(dataDir, DEV_SEAL_DIR))).toBe(false);
  });

  it('stops the start with one line naming the variable when the certificate cannot be read', () => {
    const p12 = createSelfSignedPkcs12('Org', 'right', now).toString('base64');
    expect(() =>
      loadSigningCredential(
        config({ pdfSigningP12: p12, pdfSigningPassphrase: 'wrong' }),
        logger,
        now,
      ),
    ).toThrow(/^Invalid configuration: PDF_SIGNING_P12: not a PKCS#12 file this passphrase opens/);
    expect(() =>
      loadSigningCredential(config({ pdfSigningP12: '/no/such/file.p12' }), logger, now),
    ).toThrow(
      'Invalid configuration: PDF_SIGNING_P12: neither a readable file nor the base64 of a PKCS#12 file',
    );
  });
});
