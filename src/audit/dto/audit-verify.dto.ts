import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class VerifyResultDto {
  @ApiProperty({ description: 'True when every check passed' })
  ok: boolean;

  @ApiProperty({ description: 'Number of events the log holds' })
  treeSize: number;

  @ApiProperty({ description: 'Hex root of the tree of treeSize events' })
  rootHash: string;

  @ApiProperty({ description: 'Signed checkpoints checked against the recomputed tree' })
  checkedCheckpoints: number;

  @ApiPropertyOptional({ description: 'Lowest seq that may have been tampered with' })
  firstBadSeq?: number;

  @ApiPropertyOptional({ description: 'What failed' })
  reason?: string;
}
