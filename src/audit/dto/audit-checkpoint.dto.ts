import { ApiProperty } from '@nestjs/swagger';
import type { AuditCheckpoint } from 'src/audit/audit-checkpoint.entity';

export class CheckpointDto {
  @ApiProperty()
  treeSize: number;

  @ApiProperty({ description: 'Hex root hash (the note carries it in base64)' })
  rootHash: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: 'The whole C2SP signed note, as signed' })
  note: string;

  static from(checkpoint: AuditCheckpoint): CheckpointDto {
    return {
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash.toString('hex'),
      createdAt: checkpoint.createdAt.toISOString(),
      note: checkpoint.note,
    };
  }
}

export class CheckpointListDto {
  @ApiProperty({ description: 'The log origin, first line of every checkpoint' })
  origin: string;

  @ApiProperty({ description: 'Key name in the signature lines of the notes' })
  keyName: string;

  @ApiProperty({ description: 'Raw 32-byte Ed25519 public key, base64' })
  publicKey: string;

  @ApiProperty({
    description: 'The same key as a Go sumdb/note verifier key: name+keyid+base64(0x01 ‖ key)',
  })
  verifierKey: string;

  @ApiProperty({ type: [CheckpointDto], description: 'Oldest first' })
  checkpoints: CheckpointDto[];
}
