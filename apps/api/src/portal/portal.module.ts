import { Logger, Module, NotFoundException, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { static as serveFiles, type Express, type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'fs';
import * as path from 'path';
import { environment, PROJECT_ROOT } from '#disty/core';
import { PaymentDetailsController } from './payment-details.controller';
import { PublicConfigController } from './public-config.controller';

/** Where `npm run build` (vite) writes the web portal (apps/portal). */
export const PORTAL_DIST = environment().PORTAL_DIST ?? path.join(PROJECT_ROOT, 'dist', 'portal');

/** GET paths that are the portal's client-side routes: everything but /api, /docs, /health and /metrics. */
export const PORTAL_ROUTES = /^\/(?!(?:api|docs|health|metrics)(?:[/?#-]|$))/;

/** How the portal's files are served (express.static, i.e. the serve-static package). */
const FILES: Parameters<typeof serveFiles>[1] = {
  index: false,
  setHeaders: (res, file) => {
    // Hashed assets never change; everything else revalidates so a new build is picked up.
    const immutable = file.includes(`${path.sep}assets${path.sep}`);
    res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  },
};

/**
 * The web portal (apps/portal, a React single-page app) served at `/` by the API itself: its files
 * (express.static) and, for its client-side routes, index.html. Only the portal's paths
 * (PORTAL_ROUTES) reach the file system: a request under /api, /docs, /health or /metrics never
 * waits for a file lookup that cannot succeed (docs/performance.md §16). Registered when the app
 * initialises (after the controllers' routes), so tests see what production serves.
 */
@Module({ controllers: [PublicConfigController, PaymentDetailsController] })
export class PortalModule implements OnModuleInit {
  private readonly logger = new Logger(PortalModule.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'express') return;
    const index = path.join(PORTAL_DIST, 'index.html');
    if (!existsSync(index)) {
      this.logger.warn(`the web portal is not built (${index} is missing): run npm run build`);
    }
    const app = adapter.getInstance<Express>();
    const files = serveFiles(PORTAL_DIST, FILES);
    app.use((req: Request, res: Response, next: NextFunction) => (PORTAL_ROUTES.test(req.path) ? files(req, res, next) : next()));
    app.get(PORTAL_ROUTES, (_req: Request, res: Response, next: NextFunction) =>
      res.sendFile(index, { headers: { 'Cache-Control': 'no-cache' } }, (err?: Error) => {
        if (!err) return;
        if (res.headersSent) res.destroy();
        else next();
      }),
    );
    // What neither a route nor the portal answered, inside /api/v1 or not (/health/x, /docs/x, a
    // portal route while the portal is not built): the API's own 404, problem+json (Nest's
    // not-found handler covers only the global prefix).
    app.use((req: Request, _res: Response, next: NextFunction) => next(new NotFoundException(`Cannot ${req.method} ${req.path}`)));
  }
}
