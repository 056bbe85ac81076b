import { Module } from '@nestjs/common';
import { IdentityModule } from '#disty/identity';
import { LedgerModule } from '#disty/ledger';
import { TaxModule } from '#disty/tax';
import { CreditRequestService } from './credit-request.service';
import { CreditRequestsController } from './credit-requests.controller';
import { CreditReservationService } from './credit-reservation.service';
import { ResellerController } from './resellers.controller';
import { ResellerService } from './reseller.service';

/** Reseller accounts, their users, their two credit lines and the credit reservations on them; reads receivables from the ledger. */
@Module({
  imports: [LedgerModule, IdentityModule, TaxModule],
  controllers: [ResellerController, CreditRequestsController],
  providers: [ResellerService, CreditReservationService, CreditRequestService],
  exports: [ResellerService, CreditReservationService],
})
export class ResellerModule {}
