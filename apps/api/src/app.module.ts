import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { CoreModule, dataSourceOptions, validateEnvironment } from '#disty/core';
import { IdentityModule } from '#disty/identity';
import { LedgerModule } from '#disty/ledger';
import { SubscriptionModule } from '#disty/subscription';
import { CatalogModule } from '#disty/catalog';
import { ResellerModule } from '#disty/reseller';
import { OrderingModule } from '#disty/ordering';
import { RenewalAlertModule } from '#disty/renewal-alert';
import { InvoicingModule } from '#disty/invoicing';
import { PaymentsModule } from '#disty/payments';
import { ResellerBillingModule } from '#disty/reseller-billing';
import { WebhookModule } from '#disty/webhooks';
import { PurchasingModule } from '#disty/purchasing';
import { ReportingModule } from '#disty/reporting';
import { TaxModule } from '#disty/tax';
import { CustomersModule } from '#disty/customers';
import { UsageModule } from '#disty/usage';
import { CreditExposureModule } from '#disty/credit-exposure';
import { VendorReconciliationModule } from '#disty/vendor-reconciliation';
import { HealthController } from './health/health.controller';
import { Readiness } from './health/readiness';
import { MetricsModule } from './metrics/metrics.module';
import { SharedThrottlerStorage } from './throttling/shared-throttler-storage';
import { loggerParams } from './logging';
import { PortalModule } from './portal/portal.module';
import { SubscriptionChangesModule } from './subscription-changes/subscription-changes.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateEnvironment, cache: true }),
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => loggerParams({ level: config.get<string>('LOG_LEVEL')!, format: config.get('LOG_FORMAT')! }),
    }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        ...dataSourceOptions(config.getOrThrow<string>('DATABASE_URL')),
        autoLoadEntities: false,
      }),
    }),
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        throttlers: [{ ttl: config.get<number>('THROTTLE_TTL_MS')!, limit: config.get<number>('THROTTLE_LIMIT')! }],
        // One limit across instances when REDIS_URL is set (docs/operations.md §13).
        storage: new SharedThrottlerStorage(config.get<string>('REDIS_URL'), config.get<string>('REDIS_KEY_PREFIX')),
      }),
    }),
    TerminusModule,
    PortalModule,
    CoreModule,
    IdentityModule,
    LedgerModule,
    SubscriptionModule,
    CatalogModule,
    ResellerModule,
    RenewalAlertModule,
    WebhookModule,
    PurchasingModule,
    CustomersModule,
    UsageModule,
    CreditExposureModule,
    VendorReconciliationModule,
    TaxModule,
    OrderingModule,
    InvoicingModule,
    PaymentsModule,
    ResellerBillingModule,
    ReportingModule,
    SubscriptionChangesModule,
    MetricsModule,
  ],
  controllers: [HealthController],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }, Readiness],
})
export class AppModule {}
