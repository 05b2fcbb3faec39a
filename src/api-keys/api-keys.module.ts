import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from 'src/api-keys/access.guard';
import { ApiKeyPrincipalCache } from 'src/api-keys/api-key-principal-cache';
import { ApiKeysController } from 'src/api-keys/api-keys.controller';
import { ApiKeysService } from 'src/api-keys/api-keys.service';

@Module({
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeyPrincipalCache, AccessGuard, { provide: APP_GUARD, useExisting: AccessGuard }],
  exports: [ApiKeysService, AccessGuard],
})
export class ApiKeysModule {}
