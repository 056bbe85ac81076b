import { Module } from '@nestjs/common';
import { InvoicingModule } from '#disty/invoicing';
import { WebhookModule } from '#disty/webhooks';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { MetricsService } from './metrics.service';

/** Prometheus metrics (docs/operations.md §12). */
@Module({
  imports: [WebhookModule, InvoicingModule],
  controllers: [MetricsController],
  providers: [MetricsService, MetricsListener],
  exports: [MetricsService],
})
export class MetricsModule {}
