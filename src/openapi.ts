import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from 'src/common/errors/error-response.dto';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Consent Ledger')
    .setDescription(
      'Written, specific image-rights consent for employers: consent requests, signatures, evidence, ' +
        'an append-only audit log and asset clearance. Every error has the shape of ErrorResponseDto ' +
        '(`{ statusCode, code, message, details?, requestId }`); `code` is stable.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Staff API key (clk_…)' }, 'apiKey')
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] });
}

/** Serves the UI at /docs and the document at /docs-json. */
export function mountApiDocs(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  return document;
}
