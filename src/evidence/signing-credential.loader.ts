import type { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppConfig } from 'src/config/app-config';
import {
  createSelfSignedPkcs12,
  CredentialError,
  readPkcs12,
  SigningCredential,
} from 'src/evidence/domain/signing-credential';

/** Under DATA_DIR: the development certificate and its passphrase, both mode 0600. */
export const DEV_SEAL_DIR = 'pdf-signing';
export const DEV_SEAL_P12 = 'seal.p12';
export const DEV_SEAL_PASSPHRASE = 'passphrase';

/**
 * PDF_SIGNING_P12 (a path or base64) opened with PDF_SIGNING_PASSPHRASE; without it, the
 * self-signed development certificate, generated at the first start.
 */
export function loadSigningCredential(
  config: AppConfig,
  logger: Logger,
  now: Date,
): SigningCredential {
  const configured = config.pdfSigningP12;
  if (!configured) return developmentCredential(config, logger, now);
  try {
    return readPkcs12(p12Bytes(configured), config.pdfSigningPassphrase);
  } catch (error) {
    const why = error instanceof CredentialError ? error.message : 'unreadable';
    throw new Error(`Invalid configuration: PDF_SIGNING_P12: ${why}`, { cause: error });
  }
}

function p12Bytes(value: string): Buffer {
  if (fs.existsSync(value)) return fs.readFileSync(value);
  const compact = value.replace(/\s+/g, '');
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(compact)
    ? Buffer.from(compact, 'base64')
    : Buffer.alloc(0);
  // A PKCS#12 file is a DER SEQUENCE.
  if (bytes.length < 64 || bytes[0] !== 0x30) {
    throw new CredentialError('neither a readable file nor the base64 of a PKCS#12 file');
  }
  return bytes;
}

function developmentCredential(config: AppConfig, logger: Logger, now: Date): SigningCredential {
  const dir = path.join(config.dataDir, DEV_SEAL_DIR);
  if (!fs.existsSync(dir)) {
    // Written in a private folder then renamed into place, so a process starting at the same
    // moment sees both files or neither.
    fs.mkdirSync(config.dataDir, { recursive: true });
    const staging = fs.mkdtempSync(path.join(config.dataDir, `${DEV_SEAL_DIR}-`));
    const passphrase = randomBytes(24).toString('base64url');
    fs.writeFileSync(path.join(staging, DEV_SEAL_PASSPHRASE), passphrase, { mode: 0o600 });
    fs.writeFileSync(
      path.join(staging, DEV_SEAL_P12),
      createSelfSignedPkcs12(config.orgName, passphrase, now),
      {
        mode: 0o600,
      },
    );
    try {
      fs.renameSync(staging, dir);
      logger.warn(
        `PDF_SIGNING_P12 is not set: generated a self-signed certificate sealing evidence PDFs in ${dir}. ` +
          "Configure the organisation's certificate in production.",
      );
    } catch (error) {
      fs.rmSync(staging, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    }
  }
  const passphrase = fs.readFileSync(path.join(dir, DEV_SEAL_PASSPHRASE), 'utf8').trim();
  return readPkcs12(fs.readFileSync(path.join(dir, DEV_SEAL_P12)), passphrase);
}
