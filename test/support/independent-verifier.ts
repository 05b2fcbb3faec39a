import { createHash, createPublicKey, verify } from 'node:crypto';

// Deliberately independent of the service: only node:crypto, the JSONL export and a checkpoint.
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** RFC 9162 Merkle tree hash over leaf hashes. */
function treeHash(leaves: Buffer[]): Buffer {
  if (leaves.length <= 1) return leaves[0] ?? sha256();
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha256(Buffer.of(1), treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

/** Null when the export holds the log signed by the C2SP checkpoint `note`; else what is wrong. */
export function verifyExportAgainstCheckpoint(jsonl: string, note: string, keyName: string, publicKeyB64: string) {
  const publicKey = Buffer.from(publicKeyB64, 'base64');
  const body = note.slice(0, note.lastIndexOf('\n\n') + 1);
  const line = note.split('\n').find((l) => l.startsWith(`\u2014 ${keyName} `));
  const signature = Buffer.from(line?.slice(keyName.length + 3) ?? '', 'base64');
  const keyId = sha256(Buffer.from(keyName), Buffer.of(0x0a, 0x01), publicKey).subarray(0, 4);
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki' });
  const signed = signature.length === 68 && signature.subarray(0, 4).equals(keyId);
  if (!signed || !verify(null, Buffer.from(body), key, signature.subarray(4))) return 'bad checkpoint signature';

  const [, size, root] = body.split('\n');
  const leaves: Buffer[] = [];
  for (const text of jsonl.split('\n').filter(Boolean).slice(0, Number(size))) {
    const line = JSON.parse(text) as { seq: number; leafHash: string; canonical: string };
    const hash = sha256(Buffer.of(0), Buffer.from(line.canonical, 'utf8'));
    const event = JSON.parse(line.canonical) as { seq: number };
    if (line.seq !== leaves.length || event.seq !== line.seq) return `seq ${line.seq} out of place`;
    if (hash.toString('hex') !== line.leafHash) return `seq ${line.seq}: leaf hash does not match its bytes`;
    leaves.push(hash);
  }
  if (leaves.length !== Number(size)) return `the export has ${leaves.length} events, the checkpoint ${size}`;
  return treeHash(leaves).toString('base64') === root ? null : 'root does not match the checkpoint';
}
