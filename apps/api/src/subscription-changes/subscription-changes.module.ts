import { Module } from '@nestjs/common';
import { InvoicingModule } from '#disty/invoicing';
import { SubscriptionModule } from '#disty/subscription';
import { SubscriptionChangesController } from './subscription-changes.controller';
import { SubscriptionChangeUseCase } from './subscription-change.use-case';

/** Seat changes and cancellations: a flow over subscriptions and invoicing (credit notes for back-dated credits). */
@Module({
  imports: [SubscriptionModule, InvoicingModule],
  controllers: [SubscriptionChangesController],
  providers: [SubscriptionChangeUseCase],
})
export class SubscriptionChangesModule {}
