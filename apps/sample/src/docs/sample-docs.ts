import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addCandescentSecuritySchemes } from '@candescent/auth/swagger';

/** Serves the OpenAPI document at `/docs` (Swagger UI) and `/docs-json`. */
export function setupSampleDocs(app: INestApplication): void {
  const builder = new DocumentBuilder()
    .setTitle('Candescent auth sample')
    .setDescription(
      'The sample app of @candescent/auth. Sessions use the bearer or the cookie transport (SESSION_TRANSPORT); errors share one JSON body.',
    )
    .setVersion('0.1.0')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'SAMPLE_BACKOFFICE_KEY' },
      'backOfficeKey',
    );
  // Each route names its own group (route-docs.decorators.ts); controller auto-tags would list it twice.
  const document = SwaggerModule.createDocument(app, addCandescentSecuritySchemes(builder).build(), {
    autoTagControllers: false,
  });
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Candescent auth sample API',
  });
}
