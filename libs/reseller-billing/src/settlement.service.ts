// Owns settlements: collections held for a reseller (2500) netted against its invoices, less the fee, the rest paid out.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, Currency, Dec, idempotentTransaction, moneyString, page, Page, retryOnConflict, validationError } from '#disty/core';
import { ReceivablesService } from '#disty/invoicing';
import { AccountCode, atCarrying, credit, debit, LedgerService, lockReceivables, receivableCredits } from '#disty/ledger';
import { PaymentQueryService, PaymentService } from '#disty/payments';
import { ResellerService } from '#disty/reseller';
import { BillingProfileService } from './billing-profile.service';
import { CollectionService } from './collection.service';
import { divideSettlement } from './domain/settlement-math';
import { CreateSettlementDto, SettlementQueryDto, SettlementView } from './dto/end-customer-invoice.dto';
import { resellerBillingError, ResellerBillingErrorCode } from './errors';

interface SettlementRow {
  id: string;
  reseller_id: string;
  currency: Currency;
  settled_on: string;
  fee_percent: string;
  collected: string;
  fee: string;
  netted: string;
  paid_out: string;
  payment_id: string | null;
}
const COLUMNS = `id, reseller_id, currency, to_char(settled_on, 'YYYY-MM-DD') AS settled_on, fee_percent::text AS fee_percent, collected::text AS collected,
  fee::text AS fee, netted::text AS netted, paid_out::text AS paid_out, payment_id`;

/**
 * Settlement with a reseller (docs/billing-on-behalf.md): every collection held for it in a
 * currency, received on or before the settlement date and not yet settled, is released from 2500 in
 * one entry: the billing-services fee to 4200, what the reseller owes the distributor applied to its
 * open invoices oldest first (a SETTLEMENT payment through PaymentService, with its allocations,
 * so the invoices show it as paid), and the rest paid out from 1000. One transaction under the
 * reseller's receivables lock.
 */
@Injectable()
export class SettlementService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly collections: CollectionService,
    private readonly profiles: BillingProfileService,
    private readonly payments: PaymentService,
    private readonly paymentQueries: PaymentQueryService,
    private readonly receivables: ReceivablesService,
    private readonly resellers: ResellerService,
    private readonly ledger: LedgerService,
    private readonly clock: Clock,
  ) {}

  async settle(dto: CreateSettlementDto, createdBy: string): Promise<SettlementView> {
    if (dto.settledOn > this.clock.today()) {
      throw validationError('settledOn cannot be in the future', [
        { field: 'settledOn', message: `must be on or before ${this.clock.today()}` },
      ]);
    }
    const resellerId = dto.resellerId.toLowerCase();
    await this.resellers.getReseller(resellerId);
    const currency = dto.currency as Currency;
    return retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        await lockReceivables(em, resellerId);
        const held: Array<{ id: string; amount: string }> = await em.query(
          `SELECT id, amount::text AS amount FROM collections
            WHERE reseller_id = $1 AND currency = $2 AND settlement_id IS NULL AND posted_on <= $3 ORDER BY id FOR UPDATE`,
          [resellerId, currency, dto.settledOn],
        );
        if (!held.length)
          throw resellerBillingError(
            ResellerBillingErrorCode.NothingToSettle,
            `Reseller ${resellerId} has no ${currency} collections to settle up to ${dto.settledOn}`,
          );
        const collected = held.reduce((s, h) => s.plus(h.amount), new Dec(0));
        const profile = await this.profiles.profile(resellerId, em);
        const { fee } = divideSettlement(collected, profile.feePercent, new Dec(0), currency);
        const id = randomUUID();
        const source = { type: 'settlement', id };
        const netting = await this.payments.recordSettlementNetting(em, {
          resellerId,
          currency,
          available: collected.minus(fee),
          date: dto.settledOn,
          reference: `Settlement ${id}`,
          source,
          createdBy,
        });
        const paidOut = collected.minus(fee).minus(netting.netted);
        await em.query(
          `INSERT INTO settlements (id, reseller_id, currency, settled_on, fee_percent, collected, fee, netted, paid_out, payment_id, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            id,
            resellerId,
            currency,
            dto.settledOn,
            profile.feePercent.toFixed(),
            collected.toFixed(),
            fee.toFixed(),
            netting.netted.toFixed(),
            paidOut.toFixed(),
            netting.paymentId,
            createdBy,
          ],
        );
        await em.query(`UPDATE collections SET settlement_id = $1, settled_on = $2 WHERE id = ANY($3::uuid[])`, [
          id,
          dto.settledOn,
          held.map((h) => h.id),
        ]);
        await this.ledger.post(em, {
          entryDate: dto.settledOn,
          memo: `Settlement of ${held.length} collection(s) with the reseller: fee ${profile.feePercent.toFixed()} %, netted ${moneyString(netting.netted, currency)}, paid out ${moneyString(paidOut, currency)}`,
          source,
          createdBy,
          lines: [
            ...debit(AccountCode.CollectionsHeld, collected, resellerId, currency),
            ...atCarrying(receivableCredits(netting.perLine, resellerId, currency)),
            ...credit(AccountCode.FeeRevenue, fee, resellerId, currency),
            ...credit(AccountCode.Cash, paidOut, resellerId, currency),
          ],
          fxDifferenceAccount: AccountCode.FxRealised,
        });
        if (netting.paymentId) {
          await this.receivables.releaseCleared(em, resellerId, this.clock.today());
          await this.payments.announceReceived(em, netting.paymentId);
        }
        return this.view(em, id, null);
      }),
    );
  }

  async list(scope: string | null, q: SettlementQueryDto): Promise<Page<SettlementView>> {
    const params = [scope ?? q.resellerId ?? null];
    const cond = `WHERE ($1::uuid IS NULL OR reseller_id = $1::uuid)`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM settlements ${cond}`, params);
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM settlements ${cond} ORDER BY settled_on DESC, created_at DESC, id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    const items: SettlementView[] = [];
    for (const r of rows) items.push(await this.view(this.db.manager, r.id, null));
    return page(items, total, q);
  }

  get(id: string, scope: string | null): Promise<SettlementView> {
    return this.view(this.db.manager, id, scope);
  }

  async view(em: EntityManager, id: string, scope: string | null): Promise<SettlementView> {
    const [r]: SettlementRow[] = await em.query(
      `SELECT ${COLUMNS} FROM settlements WHERE id = $1 AND ($2::uuid IS NULL OR reseller_id = $2::uuid)`,
      [id, scope],
    );
    if (!r) throw resellerBillingError(ResellerBillingErrorCode.NotFound, `Settlement ${id} was not found`);
    const c = r.currency.trim() as Currency;
    const payment = r.payment_id ? await this.paymentQueries.view(em, r.payment_id, null) : null;
    return {
      id: r.id,
      resellerId: r.reseller_id,
      currency: c,
      settledOn: r.settled_on,
      feePercent: new Dec(r.fee_percent).toFixed(),
      collected: moneyString(r.collected, c),
      fee: moneyString(r.fee, c),
      netted: moneyString(r.netted, c),
      paidOut: moneyString(r.paid_out, c),
      paymentId: r.payment_id,
      collections: await this.collections.ofSettlement(em, id),
      nettedInvoices: (payment?.allocations ?? []).map((a) => ({
        invoiceId: a.invoiceId,
        invoiceNumber: a.invoiceNumber,
        amount: a.amount,
      })),
    };
  }
}
