import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { StaffPrincipal } from 'src/common/auth/roles';

export const STAFF_PRINCIPAL = Symbol('staffPrincipal');

export type RequestWithPrincipal = { [STAFF_PRINCIPAL]?: StaffPrincipal };

/** The staff member (API key) behind the request; set by the access guard. */
export const Staff = createParamDecorator((_: unknown, ctx: ExecutionContext): StaffPrincipal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>()[STAFF_PRINCIPAL];
  if (!principal) throw new Error('Staff principal requested on a route without staff access');
  return principal;
});
