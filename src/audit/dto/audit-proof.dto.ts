import { ApiProperty } from '@nestjs/swagger';
import type { ConsistencyProof, InclusionProof } from 'src/audit/audit-tree.reader';

const hex = (hash: Buffer) => hash.toString('hex');

export class InclusionProofDto {
  @ApiProperty()
  seq: number;

  @ApiProperty()
  treeSize: number;

  @ApiProperty({ description: 'Hex leaf hash of the event' })
  leafHash: string;

  @ApiProperty({ description: 'Hex root of the tree of treeSize events' })
  rootHash: string;

  @ApiProperty({
    type: [String],
    description: 'RFC 9162 inclusion proof (audit path), hex, leaf to root',
  })
  proof: string[];

  static from(proof: InclusionProof): InclusionProofDto {
    return {
      seq: proof.seq,
      treeSize: proof.treeSize,
      leafHash: hex(proof.leafHash),
      rootHash: hex(proof.rootHash),
      proof: proof.proof.map(hex),
    };
  }
}

export class ConsistencyProofDto {
  @ApiProperty()
  from: number;

  @ApiProperty()
  to: number;

  @ApiProperty({ description: 'Hex root of the tree of `from` events' })
  fromRootHash: string;

  @ApiProperty({ description: 'Hex root of the tree of `to` events' })
  toRootHash: string;

  @ApiProperty({ type: [String], description: 'RFC 9162 consistency proof, hex' })
  proof: string[];

  static from(proof: ConsistencyProof): ConsistencyProofDto {
    return {
      from: proof.from,
      to: proof.to,
      fromRootHash: hex(proof.fromRootHash),
      toRootHash: hex(proof.toRootHash),
      proof: proof.proof.map(hex),
    };
  }
}
