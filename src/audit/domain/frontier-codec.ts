import { Frontier, HASH_SIZE } from 'src/audit/domain/merkle';

/** The frontier as stored in one bytea: its hashes concatenated, left to right. */
export function encodeFrontier(frontier: Frontier): Buffer {
  return Buffer.concat(frontier);
}

export function decodeFrontier(bytes: Uint8Array): Frontier {
  if (bytes.length % HASH_SIZE !== 0)
    throw new RangeError('stored frontier is not a list of hashes');
  const frontier: Frontier = [];
  for (let offset = 0; offset < bytes.length; offset += HASH_SIZE) {
    frontier.push(Buffer.from(bytes.subarray(offset, offset + HASH_SIZE)));
  }
  return frontier;
}
