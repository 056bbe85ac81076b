import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { metricsExposure } from './exposure';
import { MetricsService } from './metrics.service';

/**
 * With METRICS_PORT set, /metrics on a listener of its own (METRICS_HOST, default 127.0.0.1), for
 * a scraper on a private network while the API's port faces the public (docs/operations.md §12).
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MetricsListener');
  private server?: http.Server;

  constructor(private readonly metrics: MetricsService) {}

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = metricsExposure();
    if (port === undefined) return;
    this.server = http.createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      this.metrics.render().then(
        (text) => res.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' }).end(text),
        (err: unknown) => {
          this.logger.error({ err }, 'metrics scrape failed');
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.logger.log(`metrics on http://${host}:${this.address()!.port}/metrics`);
  }

  /** The listener's address (its port when METRICS_PORT=0). */
  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
