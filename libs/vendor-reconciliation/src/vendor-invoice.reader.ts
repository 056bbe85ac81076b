import { parse } from 'csv-parse';
import { Readable } from 'stream';
import { Dec } from '#disty/core';

/** A line of a vendor's monthly invoice file (docs/consumption.md §9). */
export interface VendorInvoiceLine {
  lineNo: number;
  tenantId: string | null;
  item: string;
  quantity: Dec;
  cost: Dec;
}

/** A file that cannot be reconciled: refused whole (400), nothing recorded. */
export class VendorInvoiceFileError extends Error {}

const ALIASES: Record<'tenantId' | 'item' | 'quantity' | 'cost', string[]> = {
  tenantId: ['tenantid', 'tenant', 'accountid', 'customertenantid', 'subscriptionid'],
  item: ['meterorsku', 'meterid', 'meter', 'sku', 'item', 'productid'],
  quantity: ['quantity', 'qty'],
  cost: ['cost', 'amount', 'extendedcost', 'total', 'netamount'],
};
const MAX_LINES = 200_000;
const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');
const QUANTITY = /^-?\d{1,14}(\.\d{1,6})?$/;
const MONEY = /^-?\d{1,16}(\.\d{1,4})?$/;

/**
 * Reads a vendor invoice CSV (header line; columns matched ignoring case and punctuation):
 * `Tenant` (optional for seat SKUs), `MeterOrSku`, `Quantity`, `Cost` (the line's total, net of
 * tax). Streamed; any bad line refuses the file naming its line number.
 */
export async function readVendorInvoice(input: Readable): Promise<VendorInvoiceLine[]> {
  const parser = input.pipe(
    parse({
      bom: true,
      columns: true,
      skip_empty_lines: true,
      trim: true,
      max_record_size: 16 * 1024,
      relax_column_count: true,
    }),
  );
  const out: VendorInvoiceLine[] = [];
  let lineNo = 1;
  let columns: Map<string, keyof typeof ALIASES> | null = null;
  try {
    for await (const rec of parser as AsyncIterable<Record<string, string>>) {
      lineNo++;
      if (!columns) {
        const found = new Map<string, keyof typeof ALIASES>();
        for (const k of Object.keys(rec)) {
          const target = (Object.keys(ALIASES) as Array<keyof typeof ALIASES>).find((t) => ALIASES[t].includes(norm(k)));
          if (target && ![...found.values()].includes(target)) found.set(k, target);
        }
        columns = found;
        const missing = (['item', 'quantity', 'cost'] as const).filter((t) => ![...found.values()].includes(t));
        if (missing.length)
          throw new VendorInvoiceFileError(`The header lacks ${missing.join(', ')} (MeterOrSku, Quantity and Cost are required)`);
      }
      const v: Partial<Record<keyof typeof ALIASES, string>> = {};
      for (const [k, target] of columns) v[target] = (rec[k] ?? '').trim();
      if (!v.item) throw new VendorInvoiceFileError(`Line ${lineNo}: no meter or SKU`);
      if (!v.quantity || !QUANTITY.test(v.quantity))
        throw new VendorInvoiceFileError(
          `Line ${lineNo}: quantity ${JSON.stringify(v.quantity ?? '')} is not a number with at most 6 decimals`,
        );
      if (!v.cost || !MONEY.test(v.cost))
        throw new VendorInvoiceFileError(`Line ${lineNo}: cost ${JSON.stringify(v.cost ?? '')} is not an amount with at most 4 decimals`);
      if (out.length >= MAX_LINES) throw new VendorInvoiceFileError(`The file has more than ${MAX_LINES} lines`);
      out.push({
        lineNo,
        tenantId: v.tenantId ? v.tenantId.slice(0, 100) : null,
        item: v.item.slice(0, 100),
        quantity: new Dec(v.quantity),
        cost: new Dec(v.cost),
      });
    }
  } catch (e) {
    if (e instanceof VendorInvoiceFileError) throw e;
    throw new VendorInvoiceFileError(`Line ${lineNo + 1}: ${(e as Error).message}`);
  }
  if (!out.length) throw new VendorInvoiceFileError('The file has no lines');
  return out;
}
