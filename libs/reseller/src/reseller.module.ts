import { Module } from '@nestjs/common';
import { IdentityModule } from '@disty/identity';
import { LedgerModule } from '@disty/ledger';
import { ResellerController } from './reseller.controller';
import { ResellerService } from './reseller.service';

/** Reseller accounts, their users and their two credit lines; reads receivables from the ledger. */
@Module({
  imports: [LedgerModule, IdentityModule],
  controllers: [ResellerController],
  providers: [ResellerService],
  exports: [ResellerService],
})
export class ResellerModule {}
