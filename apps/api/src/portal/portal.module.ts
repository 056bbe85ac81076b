import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { ExpressLoader, ServeStaticModuleOptions } from '@nestjs/serve-static';
import { existsSync } from 'fs';
import * as path from 'path';
import { environment, PROJECT_ROOT } from '#disty/core';
import { PaymentDetailsController } from './payment-details.controller';
import { PublicConfigController } from './public-config.controller';

/** Where `npm run build` (vite) writes the web portal (apps/portal). */
export const PORTAL_DIST = environment().PORTAL_DIST ?? path.join(PROJECT_ROOT, 'dist', 'portal');

/** GET paths that are the portal's client-side routes: everything but /api, /docs, /health and /metrics. */
export const PORTAL_ROUTES = /^\/(?!(?:api|docs|health|metrics)(?:[/?#-]|$))/;

export const PORTAL_STATIC: ServeStaticModuleOptions = {
  rootPath: PORTAL_DIST,
  // index.html for the portal's client-side routes. /api, /docs and /health are left out by this
  // path rather than by `exclude`: the loader's error handler turns every error on an excluded
  // route into a 404 (a malformed JSON body on /api would answer 404 instead of 400).
  renderPath: PORTAL_ROUTES,
  exclude: [],
  serveStaticOptions: {
    index: false,
    setHeaders: (res: { setHeader(name: string, value: string): void }, file: string) => {
      // Hashed assets never change; index.html always revalidates so a new build is picked up.
      const immutable = file.includes(`${path.sep}assets${path.sep}`);
      res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  },
};

/**
 * The web portal (apps/portal, a React single-page app) served at `/` by the API itself, with
 * @nestjs/serve-static's Express loader. It is registered when the app initialises rather than
 * through ServeStaticModule.forRoot(), which picks its loader when the module is compiled: under
 * Test.createTestingModule there is no HTTP adapter yet at that point and it silently serves
 * nothing, so tests would not see what production serves.
 */
@Module({ controllers: [PublicConfigController, PaymentDetailsController] })
export class PortalModule implements OnModuleInit {
  private readonly logger = new Logger(PortalModule.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly appConfig: ApplicationConfig,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'express') return;
    if (!existsSync(path.join(PORTAL_DIST, 'index.html'))) {
      this.logger.warn(`the web portal is not built (${PORTAL_DIST}/index.html is missing): run npm run build`);
    }
    new ExpressLoader().register(adapter, this.appConfig, [{ ...PORTAL_STATIC }]);
  }
}
