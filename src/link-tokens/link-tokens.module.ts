import { Module } from '@nestjs/common';
import { LinkTokensService } from 'src/link-tokens/link-tokens.service';

@Module({ providers: [LinkTokensService], exports: [LinkTokensService] })
export class LinkTokensModule {}
