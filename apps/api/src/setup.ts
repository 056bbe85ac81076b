import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { json, raw } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { httpMetrics } from './metrics/http-metrics';
import { completeDocument, refuseDeepJson } from '#disty/core';

export const API_PREFIX = 'api/v1';

/** Everything main.ts applies to the app beyond its modules; tests call it too. */
export function configureApp(app: NestExpressApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.use(httpMetrics);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-inline'", 'https://js.stripe.com'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          // Stripe Elements: its iframe, and 3-D Secure challenges from hooks.stripe.com.
          frameSrc: ['https://js.stripe.com', 'https://hooks.stripe.com'],
          connectSrc: ["'self'", 'https://api.stripe.com'],
          // The portal is served over plain HTTP too (localhost, a LAN address, behind a TLS proxy);
          // helmet's default upgrade-insecure-requests would make browsers fetch its files over HTTPS.
          upgradeInsecureRequests: null,
        },
      },
    }),
  );
  // Stripe signs the exact bytes it sends: that one route keeps its body raw (a Buffer), before the JSON parser.
  app.use(`/${API_PREFIX}/webhooks/stripe`, raw({ type: () => true, limit: '1mb' }));
  // Deep JSON → 400 before parsing (docs/security.md). Express's own parser, since Nest's useBodyParser
  // keeps `verify` for itself; Nest sees a JSON parser in place and adds none.
  app.use(json({ limit: '1mb', verify: refuseDeepJson }));
  // CSV uploads (POST /fx-rates/import) arrive as text; usage files (POST /usage/imports) are
  // streamed by their handler, whatever their size, so no parser reads them (docs/consumption.md);
  // so are vendor invoice files (POST /vendor-reconciliations, docs/consumption.md §9).
  const streamed = [`/${API_PREFIX}/usage/imports`, `/${API_PREFIX}/vendor-reconciliations`];
  app.useBodyParser('text', {
    type: (req) => !streamed.some((p) => (req.url ?? '').startsWith(p)) && /^text\/csv\b/i.test(req.headers['content-type'] ?? ''),
    limit: '1mb',
  });
  app.set('trust proxy', 'loopback');
  setApiPrefix(app);
  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** The routes' prefix: every route under /api/v1 except the health checks. */
export function setApiPrefix(app: INestApplication): void {
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
}

/**
 * The API's OpenAPI document, read from the controllers' and DTOs' decorators. It needs the module
 * graph only, not its providers: `npm run openapi` builds it from a preview app (no database) and
 * writes the portal's contract from it (README.md, "Web portal").
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Disty API')
    .setDescription(
      'Hardware and cloud ordering on split credit lines, consolidated invoices, and a double-entry ledger. ' +
        'Conventions (money as decimal strings, pages, errors as problem+json, Idempotency-Key): docs/api-conventions.md.',
    )
    .setVersion('1')
    .addServer('/', 'This server')
    .addBearerAuth()
    .build();
  // Errors, security and file media types are completed in one place (docs/api-conventions.md §10).
  return completeDocument(SwaggerModule.createDocument(app, config));
}
