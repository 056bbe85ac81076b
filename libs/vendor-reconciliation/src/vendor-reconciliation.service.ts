// Owns vendor_reconciliations and vendor_reconciliation_items (docs/consumption.md §9).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'stream';
import { DataSource } from 'typeorm';
import {
  Currency,
  Dec,
  idempotentTransaction,
  minorUnits,
  moneyString,
  Page,
  page,
  retryOnConflict,
  roundMoney,
  sqlState,
} from '#disty/core';
import { ReconciledBillLine, ReconciledBillService, VendorService } from '#disty/purchasing';
import { UsageCostService } from '#disty/usage';
import { ITEM_KINDS, ItemKind, reconcile, SideItem } from './domain/reconcile';
import { VendorReconciliationItemView, VendorReconciliationSummaryView, VendorReconciliationView } from './dto/vendor-reconciliation.dto';
import { reconciliationError, ReconciliationErrorCode } from './errors';
import { readVendorInvoice, VendorInvoiceFileError } from './vendor-invoice.reader';

interface HeadRow {
  id: string;
  vendor_id: string;
  month: string;
  currency: string;
  file_name: string | null;
  lines_read: number;
  vendor_total: string;
  accrued_total: string;
  status: 'OPEN' | 'ACCEPTED';
  vendor_bill_id: string | null;
  created_at: Date;
}
interface ItemRow {
  kind: ItemKind;
  tenant_id: string | null;
  item: string;
  sku: string | null;
  vendor_quantity: string | null;
  vendor_cost: string | null;
  accrued_quantity: string | null;
  accrued_cost: string | null;
}

/**
 * A vendor's monthly invoice file reconciled with what Disty accrued for that vendor and month:
 * usage per tenant and meter (the usage module's rated cost) and other accrued costs (seats) per
 * SKU (purchasing's unmatched accruals). Accepting it records the vendor bill (one line per
 * product at the vendor's cost, matching all of that product's accruals of the month; the
 * difference to 5900) and so clears the accruals.
 */
@Injectable()
export class VendorReconciliationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly vendors: VendorService,
    private readonly usage: UsageCostService,
    private readonly bills: ReconciledBillService,
  ) {}

  async import(
    input: Readable,
    q: { vendorId: string; month: string; currency?: Currency; fileName?: string; createdBy: string | null },
  ): Promise<VendorReconciliationView> {
    const vendor = await this.vendors.row(this.db.manager, q.vendorId).catch(() => {
      throw reconciliationError(ReconciliationErrorCode.NotFound, `Vendor ${q.vendorId} was not found`);
    });
    const currency = (q.currency ?? vendor.currency) as Currency;
    let lines;
    try {
      lines = await readVendorInvoice(input);
    } catch (e) {
      if (e instanceof VendorInvoiceFileError) throw reconciliationError(ReconciliationErrorCode.BadFile, e.message);
      throw e;
    }
    const meterSkus = await this.usage.meterSkus(vendor.id);
    const vendorItems: SideItem[] = lines.map((l) => {
      const sku = meterSkus.get(l.item);
      // A meter of this vendor is usage, per tenant; anything else a SKU (seats), whatever the tenant.
      return sku
        ? { tenantId: l.tenantId, item: l.item, sku, quantity: l.quantity, cost: l.cost }
        : { tenantId: null, item: l.item, sku: l.item, quantity: l.quantity, cost: l.cost };
    });
    const usage = (await this.usage.vendorMonth(vendor.id, q.month)).filter((u) => u.currency === currency);
    const seats = (await this.bills.monthAccruals(vendor.id, q.month, currency)).filter((a) => !a.usage);
    const accrued: SideItem[] = [
      ...usage.map((u) => ({
        tenantId: u.tenantId,
        item: u.meterId,
        sku: u.sku,
        quantity: u.quantity,
        cost: u.cost,
      })),
      ...seats.map((s) => ({
        tenantId: null,
        item: s.sku,
        sku: s.sku,
        quantity: s.quantity,
        cost: s.amount,
      })),
    ];
    const items = reconcile(vendorItems, accrued, minorUnits(currency));
    const total = (xs: SideItem[]) => xs.reduce((a, x) => a.plus(x.cost), new Dec(0));
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const [{ id }]: Array<{ id: string }> = await em.query(
          `INSERT INTO vendor_reconciliations (vendor_id, month, currency, file_name, lines_read, vendor_total, accrued_total, created_by)
           VALUES ($1, $2, $3, $4, $5, $6::numeric, $7::numeric, $8) RETURNING id`,
          [
            vendor.id,
            q.month,
            currency,
            q.fileName ?? null,
            lines.length,
            total(vendorItems).toFixed(),
            total(accrued).toFixed(),
            q.createdBy,
          ],
        );
        await em.query(
          `INSERT INTO vendor_reconciliation_items (reconciliation_id, item_no, kind, tenant_id, item, sku, vendor_quantity, vendor_cost, accrued_quantity, accrued_cost)
           SELECT $1, t.n, t.kind, t.tenant, t.item, t.sku, t.vq, t.vc, t.aq, t.ac
             FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[])
               AS t(n, kind, tenant, item, sku, vq, vc, aq, ac)`,
          [
            id,
            items.map((_, i) => i + 1),
            items.map((i) => i.kind),
            items.map((i) => i.tenantId),
            items.map((i) => i.item),
            items.map((i) => i.sku),
            items.map((i) => i.vendor?.quantity.toFixed() ?? null),
            items.map((i) => i.vendor?.cost.toFixed() ?? null),
            items.map((i) => i.accrued?.quantity.toFixed() ?? null),
            items.map((i) => i.accrued?.cost.toFixed() ?? null),
          ],
        );
        return id;
      }),
    ).then((id) => this.get(id));
  }

  async get(id: string): Promise<VendorReconciliationView> {
    const [h]: HeadRow[] = await this.db.query(`SELECT * FROM vendor_reconciliations WHERE id = $1`, [id]);
    if (!h) throw reconciliationError(ReconciliationErrorCode.NotFound, `Vendor reconciliation ${id} was not found`);
    const rows: ItemRow[] = await this.db.query(
      `SELECT kind, tenant_id, item, sku, vendor_quantity::text, vendor_cost::text, accrued_quantity::text, accrued_cost::text
         FROM vendor_reconciliation_items WHERE reconciliation_id = $1 ORDER BY kind = 'MATCHED', item_no`,
      [id],
    );
    const c = h.currency.trim() as Currency;
    const money = (v: string | null) => (v === null ? null : moneyString(new Dec(v), c));
    const qty = (v: string | null) => (v === null ? null : new Dec(v).toFixed(6));
    const items: VendorReconciliationItemView[] = rows.map((r) => ({
      kind: r.kind,
      tenantId: r.tenant_id,
      item: r.item,
      sku: r.sku,
      vendorQuantity: qty(r.vendor_quantity),
      vendorCost: money(r.vendor_cost),
      accruedQuantity: qty(r.accrued_quantity),
      accruedCost: money(r.accrued_cost),
      difference: moneyString(new Dec(r.vendor_cost ?? 0).minus(r.accrued_cost ?? 0), c),
    }));
    const counts = Object.fromEntries(ITEM_KINDS.map((k) => [k, rows.filter((r) => r.kind === k).length])) as Record<ItemKind, number>;
    return {
      id: h.id,
      vendorId: h.vendor_id,
      month: h.month,
      currency: c,
      fileName: h.file_name,
      linesRead: h.lines_read,
      status: h.status,
      vendorBillId: h.vendor_bill_id,
      totals: {
        vendor: moneyString(new Dec(h.vendor_total), c),
        accrued: moneyString(new Dec(h.accrued_total), c),
        difference: moneyString(new Dec(h.vendor_total).minus(h.accrued_total), c),
        counts,
      },
      items,
      createdAt: h.created_at.toISOString(),
    };
  }

  async list(q: { vendorId?: string; page: number; pageSize: number }): Promise<Page<VendorReconciliationSummaryView>> {
    const rows: Array<HeadRow & { differences: number; total: number }> = await this.db.query(
      `SELECT r.*, (SELECT count(*)::int FROM vendor_reconciliation_items i WHERE i.reconciliation_id = r.id AND i.kind <> 'MATCHED') AS differences,
              count(*) OVER ()::int AS total
         FROM vendor_reconciliations r WHERE $1::uuid IS NULL OR r.vendor_id = $1 ORDER BY r.created_at DESC, r.id LIMIT $2 OFFSET $3`,
      [q.vendorId ?? null, q.pageSize, (q.page - 1) * q.pageSize],
    );
    return page(
      rows.map((h) => {
        const c = h.currency.trim() as Currency;
        return {
          id: h.id,
          vendorId: h.vendor_id,
          month: h.month,
          currency: c,
          status: h.status,
          vendorTotal: moneyString(new Dec(h.vendor_total), c),
          accruedTotal: moneyString(new Dec(h.accrued_total), c),
          differences: h.differences,
          createdAt: h.created_at.toISOString(),
        };
      }),
      rows[0]?.total ?? 0,
      q,
    );
  }

  /**
   * Accepts the reconciliation: records the vendor bill (one line per product the vendor billed, at
   * its cost, matching all of that product's unmatched accruals of the month; what the vendor billed
   * that Disty never accrued as an unmatched line, all variance). One transaction; once per vendor,
   * month and currency.
   */
  async accept(
    id: string,
    dto: { number: string; date: string; taxRate?: string },
    createdBy: string | null,
  ): Promise<VendorReconciliationView> {
    const rate = new Dec(dto.taxRate ?? '0');
    await retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        const [h]: HeadRow[] = await em.query(`SELECT * FROM vendor_reconciliations WHERE id = $1 FOR UPDATE`, [id]);
        if (!h) throw reconciliationError(ReconciliationErrorCode.NotFound, `Vendor reconciliation ${id} was not found`);
        if (h.status !== 'OPEN')
          throw reconciliationError(
            ReconciliationErrorCode.AlreadyAccepted,
            `Reconciliation ${id} is already accepted (bill ${h.vendor_bill_id})`,
          );
        const c = h.currency.trim() as Currency;
        const rows: ItemRow[] = await em.query(
          `SELECT kind, tenant_id, item, sku, vendor_quantity::text, vendor_cost::text, accrued_quantity::text, accrued_cost::text
             FROM vendor_reconciliation_items WHERE reconciliation_id = $1 AND vendor_cost IS NOT NULL ORDER BY item_no`,
          [id],
        );
        const accruedSkus = new Set((await this.bills.monthAccruals(h.vendor_id, h.month, c, em)).map((a) => a.sku));
        const groups = new Map<string, { sku: string | null; quantity: Dec; net: Dec }>();
        for (const r of rows) {
          const sku = r.sku && accruedSkus.has(r.sku) ? r.sku : null;
          const key = sku ?? `\u0000${r.item}`;
          const g = groups.get(key) ?? { sku, quantity: new Dec(0), net: new Dec(0) };
          groups.set(key, {
            ...g,
            quantity: g.quantity.plus(r.vendor_quantity ?? 0),
            net: g.net.plus(r.vendor_cost ?? 0),
          });
        }
        const lines: ReconciledBillLine[] = [...groups].map(([key, g]) => {
          const net = roundMoney(g.net, c);
          return {
            sku: g.sku,
            quantity: g.quantity,
            net,
            tax: roundMoney(net.times(rate).div(100), c),
            description: g.sku ? `${g.sku}, ${h.month} (reconciled)` : `${key.slice(1)}, ${h.month}: billed by the vendor, never accrued`,
          };
        });
        const bad = lines.find((l) => !l.net.gt(0));
        if (!lines.length || bad) {
          throw reconciliationError(
            ReconciliationErrorCode.NothingToBill,
            bad
              ? `The vendor's lines of ${bad.sku ?? 'an item'} come to ${bad.net.toFixed()}: a bill line must be positive (record a credit separately)`
              : 'The vendor file has nothing to bill',
          );
        }
        const bill = await this.bills.record(em, {
          vendorId: h.vendor_id,
          number: dto.number,
          date: dto.date,
          month: h.month,
          currency: c,
          lines,
          createdBy,
        });
        try {
          await em.query(`UPDATE vendor_reconciliations SET status = 'ACCEPTED', vendor_bill_id = $2, accepted_at = now() WHERE id = $1`, [
            id,
            bill.id,
          ]);
        } catch (e) {
          if (sqlState(e) === '23505')
            throw reconciliationError(
              ReconciliationErrorCode.AlreadyAccepted,
              `${h.month} of this vendor is already reconciled and billed`,
            );
          throw e;
        }
      }),
    );
    return this.get(id);
  }
}
