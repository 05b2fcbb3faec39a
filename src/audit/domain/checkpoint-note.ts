/**
 * The checkpoint this service signs: a C2SP tlog-checkpoint body (origin, tree size, base64 root)
 * with one extension line `time <ISO 8601 UTC>` giving when it was signed.
 */
import { Checkpoint, formatCheckpointBody, signNote } from 'src/audit/domain/checkpoint';
import type { KeyObject } from 'node:crypto';

export interface CheckpointStatement {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  time: Date;
}

const TIME_LINE = /^time (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z)$/;

export function signCheckpoint(
  statement: CheckpointStatement,
  keyName: string,
  privateKey: KeyObject,
): string {
  const body = formatCheckpointBody({
    origin: statement.origin,
    treeSize: statement.treeSize,
    rootHash: statement.rootHash,
    extensions: [`time ${statement.time.toISOString()}`],
  });
  return signNote(body, keyName, privateKey);
}

/** The signing time stated in a verified checkpoint, or null when it has none. */
export function checkpointTime(checkpoint: Checkpoint): Date | null {
  for (const line of checkpoint.extensions) {
    const match = TIME_LINE.exec(line);
    if (match) return new Date(match[1]);
  }
  return null;
}
