import { Injectable, Logger } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifierKey, rawEd25519PublicKey } from 'src/audit/domain/checkpoint';
import { signCheckpoint } from 'src/audit/domain/checkpoint-note';
import type { TrustedLogKey } from 'src/audit/domain/log-verifier';
import { generateSigningKeyPem, parseSigningKey } from 'src/audit/domain/signing-key';
import { AppConfig } from 'src/config/app-config';

export const DEV_SIGNING_KEY_FILE = 'audit-signing-key.pem';

/**
 * Holds the Ed25519 key that signs checkpoints: AUDIT_SIGNING_KEY, or for development a key
 * generated once and kept (mode 0600) in DATA_DIR. The key name is the log's origin.
 */
@Injectable()
export class AuditSigner {
  private readonly logger = new Logger('AuditSigner');
  private readonly privateKey: KeyObject;
  readonly origin: string;
  readonly keyName: string;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Buffer;

  constructor(config: AppConfig) {
    this.origin = config.auditLogOrigin;
    this.keyName = config.auditLogOrigin;
    this.privateKey = this.loadKey(config);
    this.publicKey = rawEd25519PublicKey(this.privateKey);
  }

  signCheckpoint(treeSize: number, rootHash: Buffer, time: Date): string {
    return signCheckpoint(
      { origin: this.origin, treeSize, rootHash, time },
      this.keyName,
      this.privateKey,
    );
  }

  get trustedKey(): TrustedLogKey {
    return { origin: this.origin, keyName: this.keyName, publicKey: this.publicKey };
  }

  /** The key in Go sumdb/note verifier form (`name+keyid+base64`), for note-verifying tools. */
  get verifierKey(): string {
    return verifierKey(this.keyName, this.publicKey);
  }

  private loadKey(config: AppConfig): KeyObject {
    const configured = config.auditSigningKey;
    if (configured) {
      try {
        return parseSigningKey(configured);
      } catch {
        throw new Error(
          'Invalid configuration: AUDIT_SIGNING_KEY: must be a PKCS#8 PEM or the base64 of a 32-byte Ed25519 seed',
        );
      }
    }
    const file = path.join(config.dataDir, DEV_SIGNING_KEY_FILE);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(config.dataDir, { recursive: true });
      try {
        fs.writeFileSync(file, generateSigningKeyPem(), { mode: 0o600, flag: 'wx' });
        this.logger.warn(
          `AUDIT_SIGNING_KEY is not set: generated a development checkpoint key in ${file}`,
        );
      } catch (error) {
        // Another process started at the same moment and wrote it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return parseSigningKey(fs.readFileSync(file, 'utf8'));
  }
}
