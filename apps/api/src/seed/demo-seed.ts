import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { addDays, addMonthsClamped, Clock, Currency, Dec, environment, holdAdvisoryLock, Role } from '#disty/core';
import { CatalogService, CreateProductInput } from '#disty/catalog';
import { randomBytes } from 'crypto';
import { AuthService, IdentityService, newToken } from '#disty/identity';
import { FxRateService } from '#disty/ledger';
import { OrderFulfilmentService, OrderingService } from '#disty/ordering';
import { ResellerService } from '#disty/reseller';

export interface SeedResult {
  created: boolean;
  /**
   * The demo users' tokens and passwords: random per database, known only here (stored as
   * hashes); empty when nothing was loaded.
   */
  tokens: Array<{ role: Role; email: string; token: string; password: string }>;
}

type Prices = Partial<Record<Currency, string>>;
const price = (aud: string, nzd: string, usd: string): Prices => ({ AUD: aud, NZD: nzd, USD: usd });

/**
 * Each price with its vendor cost: `costShare` of the price, to the cent (hardware margins are
 * thin, warranty extensions and cloud seats less so).
 */
function withCosts(p: Prices, costShare: string): CreateProductInput['prices'] {
  return Object.entries(p).map(([currency, unitPrice]) => ({
    currency: currency as Currency,
    unitPrice: unitPrice!,
    costPrice: new Dec(unitPrice!).times(costShare).toDecimalPlaces(2).toFixed(2),
  }));
}

function hardware(sku: string, vendor: string, name: string, warrantyMonths: number, p: Prices, ext?: string): CreateProductInput {
  return {
    sku,
    vendor,
    name,
    kind: 'HARDWARE',
    warrantyMonths,
    extendedWarrantySku: ext ?? null,
    prices: withCosts(p, warrantyMonths > 0 && !sku.includes('-EXT-') ? '0.86' : '0.55'),
  };
}

/**
 * A cloud product. Microsoft's seats follow New-Commerce-style rules in the demo: the NCE_LIKE
 * commitment pack (a 7-day decrease and cancellation window, price locked for the term;
 * docs/commitments.md), so the renewal desk shows window clocks; other vendors' have no commitment.
 */
function cloud(
  sku: string,
  vendor: string,
  name: string,
  term: 'P1M' | 'P1Y' | 'P3Y',
  billingFrequency: 'MONTHLY' | 'ANNUAL' | 'UPFRONT',
  p: Prices,
): CreateProductInput {
  return {
    sku,
    vendor,
    name,
    kind: 'CLOUD',
    term,
    billingFrequency,
    commitmentPack: vendor === 'Microsoft' ? 'NCE_LIKE' : 'NO_COMMITMENT',
    prices: withCosts(p, '0.82'),
  };
}

/** Hardware unit prices, and cloud prices per seat per month, in AUD, NZD and USD. Extended warranties come first (they are linked to). */
const CATALOG: CreateProductInput[] = [
  hardware('DELL-PSP-EXT-2Y', 'Dell', 'Dell ProSupport Plus — 2-year warranty extension', 24, price('349.00', '379.00', '229.00')),
  hardware('HP-CP-EXT-2Y', 'HP', 'HP Care Pack — 2-year warranty extension', 24, price('299.00', '329.00', '199.00')),
  hardware('LEN-PREM-EXT-2Y', 'Lenovo', 'Lenovo Premier Support — 2-year warranty extension', 24, price('319.00', '345.00', '209.00')),
  hardware('DELL-LAT-7450', 'Dell', 'Dell Latitude 7450 14" laptop', 36, price('2199.00', '2399.00', '1449.00'), 'DELL-PSP-EXT-2Y'),
  hardware('DELL-U2724D', 'Dell', 'Dell UltraSharp 27" U2724D monitor', 36, price('799.00', '869.00', '529.00')),
  hardware('DELL-PE-R760', 'Dell', 'Dell PowerEdge R760 rack server', 36, price('15499.00', '16899.00', '10199.00'), 'DELL-PSP-EXT-2Y'),
  hardware('HP-EB-840-G11', 'HP', 'HP EliteBook 840 G11 laptop', 36, price('2349.00', '2549.00', '1549.00'), 'HP-CP-EXT-2Y'),
  hardware('HP-LJ-M611DN', 'HP', 'HP LaserJet Enterprise M611dn printer', 12, price('1299.00', '1419.00', '859.00'), 'HP-CP-EXT-2Y'),
  hardware('LEN-T14-G5', 'Lenovo', 'Lenovo ThinkPad T14 Gen 5 laptop', 36, price('2099.00', '2289.00', '1389.00'), 'LEN-PREM-EXT-2Y'),
  hardware('LEN-SR650-V3', 'Lenovo', 'Lenovo ThinkSystem SR650 V3 server', 36, price('14999.00', '16299.00', '9899.00'), 'LEN-PREM-EXT-2Y'),
  hardware('CSCO-C9200-24P', 'Cisco', 'Cisco Catalyst 9200 24-port PoE+ switch', 12, price('5499.00', '5999.00', '3629.00')),
  hardware('CSCO-MR46', 'Cisco', 'Cisco Meraki MR46 Wi-Fi 6 access point', 12, price('1599.00', '1749.00', '1059.00')),
  cloud(
    'MS-M365-BP-P1Y',
    'Microsoft',
    'Microsoft 365 Business Premium (annual, billed monthly)',
    'P1Y',
    'MONTHLY',
    price('36.30', '39.90', '22.00'),
  ),
  cloud(
    'MS-M365-BS-P1M',
    'Microsoft',
    'Microsoft 365 Business Standard (month to month)',
    'P1M',
    'MONTHLY',
    price('22.70', '24.90', '15.00'),
  ),
  cloud('MS-TEAMS-PHONE-P1Y', 'Microsoft', 'Microsoft Teams Phone Standard (annual)', 'P1Y', 'ANNUAL', price('15.10', '16.50', '10.00')),
  cloud('ADBE-CC-ALL-P1Y', 'Adobe', 'Adobe Creative Cloud All Apps (annual)', 'P1Y', 'ANNUAL', price('92.99', '99.99', '59.99')),
  cloud('ADBE-ACRO-PRO-P1Y', 'Adobe', 'Adobe Acrobat Pro (annual, billed monthly)', 'P1Y', 'MONTHLY', price('29.99', '32.99', '19.99')),
  cloud('CSCO-WEBEX-SUITE-P3Y', 'Cisco', 'Cisco Webex Suite (3 years, paid upfront)', 'P3Y', 'UPFRONT', price('25.00', '27.50', '16.50')),
  cloud('CSCO-UMBRELLA-P1Y', 'Cisco', 'Cisco Umbrella DNS Security Essentials (annual)', 'P1Y', 'ANNUAL', price('4.50', '4.95', '3.00')),
];

interface DemoReseller {
  slug: string;
  name: string;
  currency: Currency;
  country: string;
  /** Tax registration and legal address: with the country, the tax rules choose each line's code (docs/accounting.md §8). */
  taxId: string;
  taxRegistered: boolean;
  address: string;
  paymentTermsDays: number;
  creditLimits: { HARDWARE: string; CLOUD: string };
  /** Demo orders placed through OrderingService (the seed's point: a nearly exhausted hardware line still orders cloud). */
  orders: Array<{ endCustomer: string; poNumber: string; lines: Array<{ sku: string; quantity: number }> }>;
  /** Renewals coming up, so the renewal desk has work on a fresh demo (see DemoRenewal). */
  renewals?: DemoRenewal[];
}

/**
 * A renewal due `daysLeft` days after the real today, placed as its own order: a cloud line whose
 * first term started about a year earlier (so it ends then), or a hardware line shipped so that its
 * warranty ends then. 20, 50 and 80 days left are due at the 30, 60 and 90-day thresholds. A
 * month-to-month (P1M) line starts today: it raises no threshold alert (docs/api-conventions.md,
 * "Renewal alerts"), which the demo shows.
 */
interface DemoRenewal {
  endCustomer: string;
  reference?: string;
  poNumber: string;
  sku: string;
  quantity: number;
  daysLeft: number;
}

const RESELLERS: DemoReseller[] = [
  {
    slug: 'harbour',
    name: 'Harbour IT Pty Ltd',
    currency: 'AUD',
    country: 'AU',
    taxId: 'ABN 53 004 085 616',
    taxRegistered: true,
    address: 'Level 2, 1 Macquarie Place, Sydney NSW 2000, Australia',
    paymentTermsDays: 30,
    creditLimits: { HARDWARE: '250000.00', CLOUD: '60000.00' },
    renewals: [
      {
        endCustomer: 'Manly Physiotherapy',
        reference: 'MP-220',
        poNumber: 'HIT-PO-0871',
        sku: 'MS-M365-BP-P1Y',
        quantity: 15,
        daysLeft: 20,
      },
      {
        endCustomer: 'Parramatta Legal',
        reference: 'PL-031',
        poNumber: 'HIT-PO-0902',
        sku: 'MS-TEAMS-PHONE-P1Y',
        quantity: 30,
        daysLeft: 50,
      },
      {
        endCustomer: 'Bondi Dental Group',
        poNumber: 'HIT-PO-0915',
        sku: 'ADBE-CC-ALL-P1Y',
        quantity: 8,
        daysLeft: 80,
      },
      {
        endCustomer: 'Surry Hills Creative',
        poNumber: 'HIT-PO-0933',
        sku: 'CSCO-UMBRELLA-P1Y',
        quantity: 50,
        daysLeft: 72,
      },
      {
        endCustomer: 'Chatswood Medical Centre',
        poNumber: 'HIT-PO-0840',
        sku: 'HP-LJ-M611DN',
        quantity: 4,
        daysLeft: 40,
      },
      {
        endCustomer: 'Chatswood Medical Centre',
        poNumber: 'HIT-PO-0841',
        sku: 'CSCO-C9200-24P',
        quantity: 2,
        daysLeft: 85,
      },
      {
        endCustomer: 'Coogee Cafe Co',
        poNumber: 'HIT-PO-1010',
        sku: 'MS-M365-BS-P1M',
        quantity: 6,
        daysLeft: 0,
      },
    ],
    orders: [
      {
        endCustomer: 'Bondi Dental Group',
        poNumber: 'HIT-PO-1001',
        lines: [
          { sku: 'DELL-LAT-7450', quantity: 20 },
          { sku: 'DELL-U2724D', quantity: 20 },
          { sku: 'MS-M365-BP-P1Y', quantity: 25 },
          { sku: 'ADBE-ACRO-PRO-P1Y', quantity: 5 },
        ],
      },
    ],
  },
  {
    slug: 'kiwi',
    name: 'Kiwi Tech Partners Ltd',
    currency: 'NZD',
    country: 'NZ',
    taxId: 'GST 123-456-789',
    taxRegistered: true,
    address: '12 Quay Street, Auckland 1010, New Zealand',
    paymentTermsDays: 20,
    creditLimits: { HARDWARE: '60000.00', CLOUD: '15000.00' },
    orders: [
      // 3 × 16,299.00 + 15% GST = 56,231.55 of a 60,000.00 hardware line…
      {
        endCustomer: 'Wellington Logistics',
        poNumber: 'KTP-7781',
        lines: [{ sku: 'LEN-SR650-V3', quantity: 3 }],
      },
      // …and cloud still orders on its own line.
      {
        endCustomer: 'Wellington Logistics',
        poNumber: 'KTP-7782',
        lines: [{ sku: 'MS-M365-BP-P1Y', quantity: 40 }],
      },
    ],
  },
  {
    slug: 'pacific',
    name: 'Pacific Systems Inc',
    currency: 'USD',
    country: 'US',
    taxId: 'EIN 12-3456789',
    taxRegistered: false,
    address: '500 Ocean Avenue, Santa Monica CA 90402, USA',
    paymentTermsDays: 45,
    creditLimits: { HARDWARE: '150000.00', CLOUD: '40000.00' },
    renewals: [
      {
        endCustomer: 'Venice Beach Architects',
        poNumber: 'PSI-2025-311',
        sku: 'ADBE-ACRO-PRO-P1Y',
        quantity: 20,
        daysLeft: 25,
      },
      {
        endCustomer: 'Seaside Studios LLC',
        poNumber: 'PSI-2025-287',
        sku: 'CSCO-MR46',
        quantity: 8,
        daysLeft: 65,
      },
    ],
    orders: [
      {
        endCustomer: 'Seaside Studios LLC',
        poNumber: 'PSI-2026-044',
        lines: [
          { sku: 'ADBE-CC-ALL-P1Y', quantity: 12 },
          { sku: 'CSCO-MR46', quantity: 6 },
          { sku: 'CSCO-C9200-24P', quantity: 1 },
        ],
      },
    ],
  },
];

/** Demo exchange rates into AUD (base units per unit), in force from 2020: enough for every demo posting. */
const DEMO_FX_RATES: Array<{ currency: Currency; date: string; rate: string }> = [
  { currency: 'NZD', date: '2020-01-01', rate: '0.9150' },
  { currency: 'USD', date: '2020-01-01', rate: '1.5300' },
];

const RESELLER_ROLES: Role[] = ['reseller_admin', 'buyer', 'sales', 'reseller_finance'];

/**
 * Loads the demo data set into an empty database (no users yet): distributor staff, a catalog of
 * hardware and cloud products priced in AUD, NZD and USD, three resellers (one per currency) with
 * both credit lines, a user of every reseller role each, and a few orders — all through the
 * modules' services. Runs under an advisory lock so two instances starting together seed once.
 * Every demo user gets a random token (docs/security.md, "Demo credentials"): the result is the
 * only place they are known. Refused with NODE_ENV=production.
 */
export async function seedDemoData(app: INestApplication): Promise<SeedResult> {
  if (environment().NODE_ENV === 'production') throw new Error('The demo data set is never loaded with NODE_ENV=production');
  const db = app.get(DataSource);
  const identity = app.get(IdentityService);
  const distributorUsers: Array<{ email: string; role: Role }> = [
    { email: 'admin@disty.demo', role: 'admin' },
    { email: 'finance@disty.demo', role: 'finance' },
  ];
  const resellerUsers = RESELLERS.flatMap((r) =>
    RESELLER_ROLES.map((role) => ({
      reseller: r.slug,
      email: `${role}@${r.slug}.demo`,
      role,
      token: newToken(),
    })),
  );
  // Passwords: 16 random characters each (docs/security.md §1, §6).
  const password = () => randomBytes(12).toString('base64url');
  const tokens = [
    ...distributorUsers.map((u) => ({ ...u, token: newToken(), password: password() })),
    ...resellerUsers.map(({ email, role, token }) => ({ email, role, token, password: password() })),
  ];

  // A transaction-scoped lock kept by a transaction of its own (no session lock: docs/operations.md §10).
  const lock = (await holdAdvisoryLock(db, 'disty:seed', { wait: true }))!;
  try {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM users WHERE email NOT LIKE 'bootstrap-admin@%'`);
    if (n > 0) return { created: false, tokens: [] };
    for (const t of tokens.slice(0, distributorUsers.length)) await identity.createUser({ email: t.email, role: t.role }, t.token);
    // Postings in NZD and USD need a rate into the reporting currency (docs/accounting.md §10).
    const fx = app.get(FxRateService);
    const reporting = await fx.reportingCurrency();
    const demoRates = DEMO_FX_RATES.filter((r) => r.currency !== reporting);
    if (demoRates.length) await fx.write(demoRates, 'seed', null);

    const catalog = app.get(CatalogService);
    const resellers = app.get(ResellerService);
    const ordering = app.get(OrderingService);
    const existing = await catalog.getProducts(
      CATALOG.map((p) => p.sku),
      'AUD',
    );
    for (const p of CATALOG) if (!existing.has(p.sku)) await catalog.createProduct(p);

    for (const r of RESELLERS) {
      const created = await resellers.createReseller({
        name: r.name,
        currency: r.currency,
        country: r.country,
        taxId: r.taxId,
        taxRegistered: r.taxRegistered,
        address: r.address,
        paymentTermsDays: r.paymentTermsDays,
        creditLimits: r.creditLimits,
      });
      for (const u of resellerUsers.filter((x) => x.reseller === r.slug)) {
        await resellers.createUser(created.id, { email: u.email, role: u.role }, u.token);
      }
      for (const o of r.orders) {
        await ordering.placeOrder({
          resellerId: created.id,
          endCustomer: { name: o.endCustomer },
          poNumber: o.poNumber,
          lines: o.lines,
        });
      }
      for (const renewal of r.renewals ?? []) await placeRenewal(app, created.id, renewal);
    }
    const auth = app.get(AuthService);
    const ids: Array<{ id: string; email: string }> = await db.query(`SELECT id, email FROM users WHERE email = ANY($1::text[])`, [
      tokens.map((t) => t.email),
    ]);
    // argon2 runs on the thread pool: hash them side by side.
    await Promise.all(
      tokens.map(async (t) => {
        const u = ids.find((x) => x.email === t.email);
        if (u) await auth.setPassword(u.id, u.email, t.password);
      }),
    );
    return { created: true, tokens };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/**
 * Places a demo renewal (DemoRenewal) through the ordering services, dated relative to the real
 * today: a cloud line starting so that its first term ends `daysLeft` days from today (a
 * distributor-placed order may start in the past, in open months); a hardware line shipped so
 * that its warranty ends then (shipLine: warranty end = ship date + warranty months − 1 day).
 */
async function placeRenewal(app: INestApplication, resellerId: string, r: DemoRenewal): Promise<void> {
  const today = app.get(Clock).today();
  const product = CATALOG.find((p) => p.sku === r.sku)!;
  const ends = addDays(today, r.daysLeft + 1); // the day after the last covered day
  const endCustomer = { name: r.endCustomer, ...(r.reference ? { reference: r.reference } : {}) };
  const ordering = app.get(OrderingService);
  if (product.kind === 'CLOUD') {
    const months = product.term === 'P3Y' ? 36 : product.term === 'P1Y' ? 12 : 0;
    const startDate = months === 0 ? today : addMonthsClamped(ends, -months);
    await ordering.placeOrder({
      resellerId,
      endCustomer,
      poNumber: r.poNumber,
      lines: [{ sku: r.sku, quantity: r.quantity, startDate }],
    });
    return;
  }
  const order = await ordering.placeOrder({
    resellerId,
    endCustomer,
    poNumber: r.poNumber,
    lines: [{ sku: r.sku, quantity: r.quantity }],
  });
  const shippedOn = addMonthsClamped(ends, -(product.warrantyMonths ?? 0));
  await app.get(OrderFulfilmentService).shipLine(order.id, order.lines[0].id, { shippedOn });
}
