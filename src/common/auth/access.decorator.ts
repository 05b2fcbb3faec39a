import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from 'src/common/errors/error-response.dto';
import { Role } from 'src/common/auth/roles';

export const ACCESS_METADATA = 'consent-ledger:access';
export type AccessRule = { public: true } | { public: false; roles: Role[] };

/** Declares which staff roles may call a route. A /v1 route without a declaration is refused. */
export function Access(...roles: [Role, ...Role[]]) {
  return applyDecorators(
    SetMetadata(ACCESS_METADATA, { public: false, roles } satisfies AccessRule),
    ApiBearerAuth('apiKey'),
    ApiExtension('x-roles', roles),
    ApiResponse({ status: 401, description: 'UNAUTHENTICATED: no key, or an unknown or revoked key', type: ErrorResponseDto }),
    ApiResponse({ status: 403, description: `FORBIDDEN: roles allowed: ${roles.join(', ')}`, type: ErrorResponseDto }),
  );
}

/** A route anyone may call (health, employee pages reached through their own link tokens). */
export function PublicRoute() {
  return SetMetadata(ACCESS_METADATA, { public: true } satisfies AccessRule);
}
