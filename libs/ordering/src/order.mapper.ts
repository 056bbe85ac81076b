import { Dec, formatRate, moneyString } from '#disty/core';
import { Source } from '#disty/reseller';
import { OrderLineView, OrderView } from './dto/order.dto';
import { LineRow, OrderRow } from './ordering.sql';

/** Where a line's credit is reserved: the order line for hardware, the first charge for cloud. */
export function reservationSource(l: Pick<LineRow, 'id' | 'kind' | 'first_charge_id'>): Source {
  return l.kind === 'HARDWARE' ? { type: 'order_line', id: l.id } : { type: 'subscription_charge', id: l.first_charge_id! };
}

export function toOrderView(o: OrderRow, lines: LineRow[], reserved: Map<string, Dec>): OrderView {
  const c = o.currency;
  const totals = {
    HARDWARE: [new Dec(0), new Dec(0), new Dec(0)],
    CLOUD: [new Dec(0), new Dec(0), new Dec(0)],
  };
  const held = { HARDWARE: new Dec(0), CLOUD: new Dec(0) };
  for (const l of lines) {
    const s = reservationSource(l);
    held[l.kind] = held[l.kind].plus(reserved.get(`${s.type}:${s.id}`) ?? 0);
    if (l.status === 'CANCELLED') continue;
    const t = totals[l.kind];
    totals[l.kind] = [t[0].plus(l.net), t[1].plus(l.tax), t[2].plus(l.gross)];
  }
  const amounts = (t: Dec[]) => ({
    net: moneyString(t[0], c),
    tax: moneyString(t[1], c),
    gross: moneyString(t[2], c),
  });
  return {
    id: o.id,
    number: o.number,
    resellerId: o.reseller_id,
    status: o.status,
    endCustomer: { id: o.end_customer_id, name: o.end_customer_name, reference: o.end_customer_reference },
    poNumber: o.po_number,
    lines: lines.map((l) => toLineView(l)),
    totals: { HARDWARE: amounts(totals.HARDWARE), CLOUD: amounts(totals.CLOUD) },
    reserved: { HARDWARE: moneyString(held.HARDWARE, c), CLOUD: moneyString(held.CLOUD, c) },
    currency: c,
    createdAt: o.created_at.toISOString(),
  };
}

export function toLineView(l: LineRow): OrderLineView {
  const c = l.currency;
  const base = {
    id: l.id,
    sku: l.sku,
    name: l.product_name,
    kind: l.kind,
    creditLine: l.kind,
    quantity: l.quantity,
    unitPrice: moneyString(l.unit_price, c),
    net: moneyString(l.net, c),
    tax: moneyString(l.tax, c),
    gross: moneyString(l.gross, c),
    taxCode: l.tax_code,
    taxRate: formatRate(l.tax_rate),
    status: l.status,
  };
  if (l.kind === 'CLOUD') return { ...base, subscriptionId: l.subscription_id!, startDate: l.start_date! };
  return {
    ...base,
    warrantyMonths: l.warranty_months,
    shippedOn: l.shipped_on,
    postedOn: l.posted_on ?? l.shipped_on,
    serialNumbers: l.serial_numbers,
    warrantyEnd: l.warranty_end,
    invoiceId: l.invoice_id,
  };
}
