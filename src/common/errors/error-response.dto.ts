import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES } from 'src/common/errors/error-codes';

export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ enum: Object.keys(ERROR_CODES), example: 'VALIDATION_FAILED' })
  code: string;

  @ApiProperty({ example: 'Invalid input: name' })
  message: string;

  @ApiPropertyOptional({
    description: 'For VALIDATION_FAILED: [{ field, problems[] }]; otherwise code-specific context.',
  })
  details?: unknown;

  @ApiProperty({ example: '2f1c3d1e-8a9b-4c2d-9e0f-1a2b3c4d5e6f' })
  requestId: string;

  @ApiPropertyOptional({ description: 'Only on 500: quote it to support; the log has the stack.' })
  errorId?: string;
}
