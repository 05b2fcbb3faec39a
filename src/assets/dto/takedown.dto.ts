import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import type { Publication } from 'src/assets/publication.entity';
import { TAKEDOWN_CAUSES, Takedown, TakedownCause } from 'src/assets/takedown.entity';
import { PageQueryDto } from 'src/common/http/pagination';
import { CHANNELS, Channel } from 'src/consents/domain/consent-scope';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const TAKEDOWN_STATUSES = ['open', 'overdue', 'done'] as const;
export type TakedownStatus = (typeof TAKEDOWN_STATUSES)[number];

export function takedownStatus(takedown: Takedown, now: Date): TakedownStatus {
  if (takedown.completedAt) return 'done';
  return takedown.dueAt <= now ? 'overdue' : 'open';
}

export class ListTakedownsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: TAKEDOWN_STATUSES,
    description: 'open and overdue list the soonest due first; otherwise newest first.',
  })
  @IsOptional()
  @IsIn(TAKEDOWN_STATUSES)
  status?: TakedownStatus;
}

export class CompleteTakedownDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Post deleted from the company page' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  note: string;

  @ApiPropertyOptional({
    description: 'Where the proof of removal is (screenshot, ticket).',
    maxLength: 2000,
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(2000)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'evidenceUrl must be an http(s) URL' },
  )
  evidenceUrl?: string;
}

export class TakedownDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) publicationId: string;
  @ApiProperty({ format: 'uuid' }) assetId: string;
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiProperty({ description: "The publication's location." }) location: string;
  @ApiProperty({ enum: TAKEDOWN_STATUSES }) status: TakedownStatus;
  @ApiProperty({ enum: TAKEDOWN_CAUSES }) cause: TakedownCause;
  @ApiProperty({ format: 'date-time' }) openedAt: string;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) completionNote: string | null;
  @ApiProperty({ nullable: true, type: String }) evidenceUrl: string | null;

  static from(takedown: Takedown, publication: Publication, now: Date): TakedownDto {
    return {
      id: takedown.id,
      publicationId: takedown.publicationId,
      assetId: takedown.assetId,
      channel: takedown.channel,
      location: publication.location,
      status: takedownStatus(takedown, now),
      cause: takedown.cause,
      openedAt: takedown.openedAt.toISOString(),
      dueAt: takedown.dueAt.toISOString(),
      completedAt: takedown.completedAt?.toISOString() ?? null,
      completionNote: takedown.completionNote,
      evidenceUrl: takedown.evidenceUrl,
    };
  }
}

export class TakedownPageDto {
  @ApiProperty({ type: [TakedownDto] }) items: TakedownDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
