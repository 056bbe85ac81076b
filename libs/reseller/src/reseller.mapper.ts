import { formatRate, moneyString } from '#disty/core';
import { CreditLineView, ResellerView } from './dto/reseller.dto';
import { ResellerRow } from './reseller.sql';
import type { CreditLineState } from './reseller.service';

export function toResellerView(r: ResellerRow, standardRate: string | null): ResellerView {
  return {
    id: r.id,
    name: r.name,
    currency: r.currency,
    country: r.country,
    taxRate: standardRate === null ? null : formatRate(standardRate),
    taxId: r.tax_id,
    taxRegistered: r.tax_registered,
    address: r.address,
    paymentTermsDays: r.payment_terms_days,
    creditLimits: {
      HARDWARE: moneyString(r.hardware_limit, r.currency),
      CLOUD: moneyString(r.cloud_limit, r.currency),
    },
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function toCreditLineView(s: CreditLineState): CreditLineView {
  return {
    line: s.line,
    currency: s.currency,
    limit: moneyString(s.limit, s.currency),
    openReceivables: moneyString(s.openReceivables, s.currency),
    reserved: moneyString(s.reserved, s.currency),
    available: moneyString(s.available, s.currency),
    onHold: s.onHold,
    unbilledUsage: moneyString(s.unbilledUsage, s.currency),
    exposureHold: s.exposureHold,
  };
}
