import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiKeysService } from 'src/api-keys/api-keys.service';
import { ACCESS_METADATA, AccessRule } from 'src/common/auth/access.decorator';
import { RequestWithPrincipal, STAFF_PRINCIPAL } from 'src/common/auth/principal.decorator';
import { DomainError } from 'src/common/errors/domain-error';

/** Default deny: a route must declare @Access(roles) or @PublicRoute(). */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    await this.authorize(
      context.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal>(),
      rule,
    );
    return true;
  }

  /** Lets the request through `rule` (a route's @Access), or throws UNAUTHENTICATED / FORBIDDEN. */
  async authorize(
    request: FastifyRequest & RequestWithPrincipal,
    rule: AccessRule | undefined,
  ): Promise<void> {
    if (rule?.public) return;
    const presented = bearerToken(request.headers.authorization);
    if (!presented)
      throw new DomainError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>"');
    const principal = await this.apiKeys.authenticate(presented);
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'Unknown or revoked API key');
    if (!rule || !rule.roles.includes(principal.role)) {
      throw new DomainError('FORBIDDEN', `The ${principal.role} role may not use this route`);
    }
    request[STAFF_PRINCIPAL] = principal;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
