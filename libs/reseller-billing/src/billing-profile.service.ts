// Owns reseller_billing_profiles and price_rules: a reseller's opt-ins, branding, numbering, fee and sell prices.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, Currency, Dec, moneyString, page, Page, sqlState, validationError } from '#disty/core';
import { CatalogService, ProductQueryService } from '#disty/catalog';
import { EndCustomerService } from '#disty/customers';
import { ResellerService } from '#disty/reseller';
import { margin, PriceRule, ruleFor, sellNet } from './domain/pricing';
import {
  BillingProfileView,
  CreatePriceRuleDto,
  EndCustomerPriceView,
  PriceListQueryDto,
  PriceRuleQueryDto,
  PriceRuleView,
  UpdateBillingProfileDto,
} from './dto/billing-profile.dto';
import { resellerBillingError, ResellerBillingErrorCode } from './errors';

interface ProfileRow {
  reseller_id: string;
  end_customer_billing: boolean;
  auto_issue: boolean;
  collection_on_behalf: boolean;
  fee_percent: string;
  legal_name: string | null;
  address: string | null;
  tax_id: string | null;
  logo_url: string | null;
  payment_instructions: string | null;
  number_prefix: string;
  payment_terms_days: number;
  last_number: number;
}
interface RuleRow {
  id: string;
  reseller_id: string;
  end_customer_id: string | null;
  product_kind: 'HARDWARE' | 'CLOUD' | null;
  vendor: string | null;
  sku: string | null;
  markup_percent: string | null;
  fixed_price: string | null;
  currency: Currency | null;
  effective_from: string;
  effective_to: string | null;
}

const PROFILE_COLUMNS = `reseller_id, end_customer_billing, auto_issue, collection_on_behalf, fee_percent::text AS fee_percent, legal_name, address, tax_id,
  logo_url, payment_instructions, number_prefix, payment_terms_days, last_number`;
const RULE_COLUMNS = `id, reseller_id, end_customer_id, product_kind, vendor, sku, markup_percent::text AS markup_percent, fixed_price::text AS fixed_price,
  currency, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, to_char(effective_to, 'YYYY-MM-DD') AS effective_to`;

/** A reseller's billing profile as the other services of this module use it. */
export interface BillingProfile {
  resellerId: string;
  endCustomerBilling: boolean;
  autoIssue: boolean;
  collectionOnBehalf: boolean;
  feePercent: Dec;
  legalName: string | null;
  address: string | null;
  taxId: string | null;
  logoUrl: string | null;
  paymentInstructions: string | null;
  numberPrefix: string;
  paymentTermsDays: number;
  lastNumber: number;
}

/**
 * Billing profiles (opt-ins, branding, numbering, the distributor's fee) and price lists
 * (docs/billing-on-behalf.md). A reseller without a profile row has every opt-in off.
 */
@Injectable()
export class BillingProfileService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly resellers: ResellerService,
    private readonly customers: EndCustomerService,
    private readonly catalog: CatalogService,
    private readonly productQueries: ProductQueryService,
    private readonly clock: Clock,
  ) {}

  async profile(resellerId: string, em: EntityManager = this.db.manager): Promise<BillingProfile> {
    const [row]: ProfileRow[] = await em.query(`SELECT ${PROFILE_COLUMNS} FROM reseller_billing_profiles WHERE reseller_id = $1`, [
      resellerId,
    ]);
    if (!row) {
      await this.resellers.getReseller(resellerId, em); // 404 for an unknown reseller
      return {
        resellerId,
        endCustomerBilling: false,
        autoIssue: false,
        collectionOnBehalf: false,
        feePercent: new Dec(0),
        legalName: null,
        address: null,
        taxId: null,
        logoUrl: null,
        paymentInstructions: null,
        numberPrefix: 'INV',
        paymentTermsDays: 14,
        lastNumber: 0,
      };
    }
    return toProfile(row);
  }

  async view(resellerId: string): Promise<BillingProfileView> {
    return toProfileView(await this.profile(resellerId));
  }

  async update(resellerId: string, dto: UpdateBillingProfileDto): Promise<BillingProfileView> {
    await this.resellers.getReseller(resellerId);
    const cols: Array<[string, unknown]> = [];
    const put = (col: string, v: unknown) => v !== undefined && cols.push([col, v]);
    put('end_customer_billing', dto.endCustomerBilling);
    put('auto_issue', dto.autoIssue);
    put('collection_on_behalf', dto.collectionOnBehalf);
    put('legal_name', dto.legalName);
    put('address', dto.address);
    put('tax_id', dto.taxId);
    put('logo_url', dto.logoUrl);
    put('payment_instructions', dto.paymentInstructions);
    put('number_prefix', dto.numberPrefix);
    put('payment_terms_days', dto.paymentTermsDays);
    await this.upsert(resellerId, cols);
    return this.view(resellerId);
  }

  async setFee(resellerId: string, feePercent: string): Promise<BillingProfileView> {
    if (new Dec(feePercent).gt(100))
      throw validationError('feePercent is at most 100', [{ field: 'feePercent', message: 'must be between 0 and 100' }]);
    await this.resellers.getReseller(resellerId);
    await this.upsert(resellerId, [['fee_percent', feePercent]]);
    return this.view(resellerId);
  }

  private async upsert(resellerId: string, cols: Array<[string, unknown]>): Promise<void> {
    const names = cols.map(([c]) => c);
    const params = [resellerId, ...cols.map(([, v]) => v)];
    const set = names
      .map((c) => `${c} = EXCLUDED.${c}`)
      .concat('updated_at = now()')
      .join(', ');
    await this.db.query(
      `INSERT INTO reseller_billing_profiles (reseller_id${names.map((c) => `, ${c}`).join('')})
       VALUES ($1${names.map((_, i) => `, $${i + 2}`).join('')})
       ON CONFLICT (reseller_id) DO UPDATE SET ${set}`,
      params,
    );
  }

  /** The next number of the reseller's own series, in the caller's transaction (the profile row stays locked to commit: gapless). */
  async nextNumber(em: EntityManager, resellerId: string, year: number): Promise<{ number: string; seq: number }> {
    // UPDATE … RETURNING answers [rows, count] through TypeORM's query().
    const [[row]]: [Array<{ last_number: number; number_prefix: string }>, number] = await em.query(
      `UPDATE reseller_billing_profiles SET last_number = last_number + 1 WHERE reseller_id = $1 RETURNING last_number, number_prefix`,
      [resellerId],
    );
    return {
      seq: row.last_number,
      number: `${row.number_prefix}-${year}-${String(row.last_number).padStart(6, '0')}`,
    };
  }

  // ---------------------------------------------------------------- price rules

  async createRule(resellerId: string, dto: CreatePriceRuleDto): Promise<PriceRuleView> {
    if (dto.effectiveTo && dto.effectiveTo <= dto.effectiveFrom) {
      throw validationError('effectiveTo must be after effectiveFrom', [
        { field: 'effectiveTo', message: `must be after ${dto.effectiveFrom}` },
      ]);
    }
    if (dto.markupPercent !== undefined && new Dec(dto.markupPercent).gt(10000)) {
      throw validationError('markupPercent is at most 10000', [{ field: 'markupPercent', message: 'must be at most 10000' }]);
    }
    if (dto.endCustomerId) {
      await this.customers.get(dto.endCustomerId.toLowerCase(), resellerId).catch(() => {
        throw resellerBillingError(
          ResellerBillingErrorCode.UnknownEndCustomer,
          `End customer ${dto.endCustomerId} is not one of this reseller's`,
        );
      });
    }
    if (dto.sku && !(await this.catalog.getProducts([dto.sku], (dto.currency ?? 'AUD') as Currency)).has(dto.sku)) {
      throw resellerBillingError(ResellerBillingErrorCode.UnknownProduct, `Product ${dto.sku} is not in the catalog`);
    }
    try {
      const [row]: RuleRow[] = await this.db.query(
        `INSERT INTO price_rules (reseller_id, end_customer_id, product_kind, vendor, sku, markup_percent, fixed_price, currency, effective_from, effective_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${RULE_COLUMNS}`,
        [
          resellerId,
          dto.endCustomerId?.toLowerCase() ?? null,
          dto.productKind ?? null,
          dto.vendor ?? null,
          dto.sku ?? null,
          dto.markupPercent ?? null,
          dto.fixedPrice ?? null,
          dto.fixedPrice !== undefined ? dto.currency : null,
          dto.effectiveFrom,
          dto.effectiveTo ?? null,
        ],
      );
      return toRuleView(row);
    } catch (e) {
      if (sqlState(e) === '23514')
        throw validationError('The rule is not valid', [{ field: 'fixedPrice', message: (e as Error).message.slice(0, 200) }]);
      throw e;
    }
  }

  async listRules(scope: string | null, q: PriceRuleQueryDto): Promise<Page<PriceRuleView>> {
    const params = [scope, q.endCustomerId ?? null];
    const cond = `WHERE ($1::uuid IS NULL OR reseller_id = $1::uuid) AND ($2::uuid IS NULL OR end_customer_id = $2::uuid)`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM price_rules ${cond}`, params);
    const rows: RuleRow[] = await this.db.query(
      `SELECT ${RULE_COLUMNS} FROM price_rules ${cond} ORDER BY effective_from DESC, created_at DESC, id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(rows.map(toRuleView), total, q);
  }

  /** The reseller's rules as the pricing functions take them. */
  async rules(resellerId: string, em: EntityManager = this.db.manager): Promise<PriceRule[]> {
    const rows: RuleRow[] = await em.query(`SELECT ${RULE_COLUMNS} FROM price_rules WHERE reseller_id = $1`, [resellerId]);
    return rows.map(toRule);
  }

  /** GET /end-customers/:id/prices: each active product priced in the reseller's currency, its sell price and margin for this end customer. */
  async priceList(endCustomerId: string, scope: string | null, q: PriceListQueryDto): Promise<Page<EndCustomerPriceView>> {
    const customer = await this.customers.get(endCustomerId, scope);
    const reseller = await this.resellers.getReseller(customer.resellerId);
    const c = reseller.currency;
    const asOf = q.asOf ?? this.clock.today();
    const products = await this.productQueries.search({
      active: true,
      currency: c,
      page: q.page,
      pageSize: q.pageSize,
    });
    const priced = await this.catalog.getProducts(
      products.items.map((p) => p.sku),
      c,
    );
    const rules = await this.rules(customer.resellerId);
    const items = products.items.flatMap((p): EndCustomerPriceView[] => {
      const cost = priced.get(p.sku)?.unitPrice;
      if (!cost) return [];
      const rule = ruleFor(rules, { sku: p.sku, kind: p.kind, vendor: p.vendor }, customer.id, asOf, c);
      const sell = sellNet(cost, rule, { quantity: 1, listUnitPrice: cost }, c);
      const m = margin(sell, cost);
      return [
        {
          sku: p.sku,
          name: p.name,
          kind: p.kind,
          vendor: p.vendor,
          currency: c,
          cost: moneyString(cost, c),
          sellPrice: moneyString(sell, c),
          margin: moneyString(m.amount, c),
          marginPercent: m.percent ? m.percent.toFixed(2) : null,
          priceRuleId: rule?.id ?? null,
        },
      ];
    });
    return { items, total: products.total, page: q.page, pageSize: q.pageSize };
  }
}

function toProfile(r: ProfileRow): BillingProfile {
  return {
    resellerId: r.reseller_id,
    endCustomerBilling: r.end_customer_billing,
    autoIssue: r.auto_issue,
    collectionOnBehalf: r.collection_on_behalf,
    feePercent: new Dec(r.fee_percent),
    legalName: r.legal_name,
    address: r.address,
    taxId: r.tax_id,
    logoUrl: r.logo_url,
    paymentInstructions: r.payment_instructions,
    numberPrefix: r.number_prefix,
    paymentTermsDays: r.payment_terms_days,
    lastNumber: r.last_number,
  };
}

function toProfileView(p: BillingProfile): BillingProfileView {
  return { ...p, feePercent: p.feePercent.toFixed() };
}

function toRule(r: RuleRow): PriceRule {
  return {
    id: r.id,
    endCustomerId: r.end_customer_id,
    productKind: r.product_kind,
    vendor: r.vendor,
    sku: r.sku,
    markupPercent: r.markup_percent === null ? null : new Dec(r.markup_percent),
    fixedPrice: r.fixed_price === null ? null : new Dec(r.fixed_price),
    currency: r.currency ? (r.currency.trim() as Currency) : null,
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
  };
}

function toRuleView(r: RuleRow): PriceRuleView {
  const cur = r.currency ? (r.currency.trim() as Currency) : null;
  return {
    id: r.id,
    resellerId: r.reseller_id,
    endCustomerId: r.end_customer_id,
    productKind: r.product_kind,
    vendor: r.vendor,
    sku: r.sku,
    markupPercent: r.markup_percent === null ? null : new Dec(r.markup_percent).toFixed(),
    fixedPrice: r.fixed_price === null || !cur ? null : moneyString(r.fixed_price, cur),
    currency: cur,
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
  };
}
