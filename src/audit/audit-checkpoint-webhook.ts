import { Injectable, Logger } from '@nestjs/common';
import { AuditCheckpoints } from 'src/audit/audit-checkpoints.service';
import { AuditSigner } from 'src/audit/audit-signer';
import { CheckpointDto } from 'src/audit/dto/audit-checkpoint.dto';
import { AppConfig } from 'src/config/app-config';

const TIMEOUT_MS = 10_000;

/** Posts a stored checkpoint to AUDIT_CHECKPOINT_WEBHOOK; a failure throws so the queue retries. */
@Injectable()
export class CheckpointWebhook {
  private readonly logger = new Logger('CheckpointWebhook');

  constructor(
    private readonly checkpoints: AuditCheckpoints,
    private readonly signer: AuditSigner,
    private readonly config: AppConfig,
  ) {}

  async deliver(treeSize: number): Promise<void> {
    const url = this.config.auditCheckpointWebhook;
    if (!url) return;
    const checkpoint = await this.checkpoints.find(treeSize);
    if (!checkpoint) throw new Error(`checkpoint at tree size ${treeSize} is not stored`);
    const body = {
      origin: this.signer.origin,
      keyName: this.signer.keyName,
      publicKey: this.signer.publicKey.toString('base64'),
      ...CheckpointDto.from(checkpoint),
    };
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) {
      // The URL may carry a secret: only the status is logged.
      this.logger.warn(
        { treeSize, status: response.status },
        'checkpoint webhook refused the checkpoint',
      );
      throw new Error(`checkpoint webhook answered ${response.status}`);
    }
  }
}
