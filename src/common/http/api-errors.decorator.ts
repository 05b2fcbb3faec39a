import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ERROR_CODES, ErrorCode } from 'src/common/errors/error-codes';
import { ErrorResponseDto } from 'src/common/errors/error-response.dto';

/** Documents the error codes a route can answer with, grouped by HTTP status. */
export function ApiErrors(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({
        status,
        type: ErrorResponseDto,
        description: list.map((code) => `${code}: ${ERROR_CODES[code].description}`).join(' | '),
      }),
    ),
  );
}
