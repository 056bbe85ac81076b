import { pdfText } from '../../../test/support/pdf-text';
import { InvoiceLineView, InvoiceView } from './dto/invoice.dto';
import { buildInvoiceDocument, COLUMNS, INVOICE_FONT, InvoiceParties, invoiceLineRow, streamInvoicePdf } from './invoice-pdf';

const amounts = (net: string, tax: string, gross: string) => ({ net, tax, gross });
const invoice = (over: Partial<InvoiceView> = {}): InvoiceView => ({
  id: '5f0c6d1e-0000-4000-8000-000000000001',
  number: 'INV-2026-000042',
  resellerId: '5f0c6d1e-0000-4000-8000-0000000000aa',
  resellerName: 'Ōtautahi Tech 株式会社',
  currency: 'NZD',
  issueDate: '2026-03-31',
  dueDate: '2026-04-20',
  periodEnd: '2026-03-31',
  status: 'ISSUED',
  taxRate: '0.15',
  totals: {
    HARDWARE: amounts('2000.00', '300.00', '2300.00'),
    CLOUD: amounts('100.00', '15.00', '115.00'),
    all: amounts('2100.00', '315.00', '2415.00'),
  },
  amountPaid: '0.00',
  amountCredited: '0.00',
  creditsApplied: '0.00',
  creditUsed: '0.00',
  amountWrittenOff: '0.00',
  amountDue: '2415.00',
  creditBalance: '0.00',
  open: { HARDWARE: '2300.00', CLOUD: '115.00' },
  billingRunId: null,
  lines: [],
  creditNotes: [],
  ...over,
});
const parties = (over: Partial<InvoiceParties> = {}): InvoiceParties => ({
  supplier: {
    legalName: 'Disty Distribution Pty Ltd',
    taxRegistrationLabel: 'ABN',
    taxRegistration: '51 824 753 556',
    address: '100 Harbour St, Sydney',
    email: 'accounts@disty.example',
    bank: {
      accountName: 'Disty Distribution Pty Ltd',
      bankName: 'Example Bank',
      bsb: '062-000',
      accountNumber: '1234 5678',
      swift: 'EXAMAU2S',
    },
  },
  buyer: {
    legalName: 'Ōtautahi Tech 株式会社',
    address: '1 Cathedral Square, Christchurch',
    country: 'NZ',
    taxId: '123-456-789',
    taxRegistered: true,
  },
  taxByCode: [{ taxCode: 'NZ-GST', rate: '0.15', net: '2100.00', tax: '315.00' }],
  taxCodes: new Map([['NZ-GST', { description: 'New Zealand GST 15 %', kind: 'STANDARD', invoiceNote: null }]]),
  productNames: new Map([['LEN-X1', 'ThinkPad X1 Carbon']]),
  ...over,
});
const line = (over: Partial<InvoiceLineView> = {}): InvoiceLineView => ({
  id: 'l1',
  description: 'ThinkPad X1 Carbon × 2, shipped 2026-03-30',
  sku: 'LEN-X1',
  creditLine: 'HARDWARE',
  quantity: 2,
  periodStart: null,
  periodEnd: null,
  net: '2000.00',
  tax: '300.00',
  gross: '2300.00',
  taxCode: 'NZ-GST',
  taxRate: '0.15',
  creditedNet: '0.00',
  source: { type: 'order_line', id: 'x' },
  ...over,
});

describe('buildInvoiceDocument', () => {
  it('names the supplier with its registration and address, and the buyer by legal name, address and tax id (not its id)', () => {
    const d = buildInvoiceDocument(invoice(), parties());
    expect(d.title).toBe('Tax invoice');
    expect(d.supplier).toEqual(['Disty Distribution Pty Ltd', 'ABN 51 824 753 556', '100 Harbour St, Sydney', 'accounts@disty.example']);
    expect(d.billTo).toEqual([
      'Ōtautahi Tech 株式会社',
      '1 Cathedral Square, Christchurch',
      'Tax id 123-456-789 (registered)',
      'Country NZ',
    ]);
    expect(JSON.stringify(d)).not.toContain(invoice().resellerId);
    expect(d.meta).toContainEqual(['Invoice', 'INV-2026-000042']);
  });

  it('lays totals out one label and one value per row, and pays to the configured bank account', () => {
    const d = buildInvoiceDocument(invoice({ amountPaid: '415.00', amountDue: '2000.00' }), parties());
    expect(d.totals).toEqual([
      { label: 'Subtotal (excluding tax)', value: '2100.00 NZD' },
      { label: 'Tax', value: '315.00 NZD' },
      { label: 'Invoice total', value: '2415.00 NZD', bold: true },
      { label: 'Amount paid:', value: '415.00 NZD' },
      { label: 'Amount due:', value: '2000.00 NZD', bold: true },
    ]);
    expect(d.taxSummary).toEqual([['NZ-GST (New Zealand GST 15 %)', 'on 2100.00 NZD', '315.00 NZD']]);
    expect(d.payment.join('\n')).toContain('BSB: 062-000    Account: 1234 5678');
    expect(d.payment[0]).toBe('Please pay 2000.00 NZD by 2026-04-20, quoting INV-2026-000042.');
    expect(d.notes).toEqual([]);
  });

  it('prints the reverse-charge note of a reverse-charge code, once', () => {
    const note = 'Reverse charge: VAT to be accounted for by the recipient';
    const d = buildInvoiceDocument(
      invoice({ currency: 'EUR' }),
      parties({
        taxByCode: [{ taxCode: 'EU-RC', rate: '0', net: '2100.00', tax: '0.00' }],
        taxCodes: new Map([['EU-RC', { description: 'EU reverse charge', kind: 'REVERSE_CHARGE', invoiceNote: note }]]),
      }),
    );
    expect(d.notes).toEqual([note]);
    const bare = buildInvoiceDocument(
      invoice(),
      parties({
        taxByCode: [{ taxCode: 'RC2', rate: '0', net: '1.00', tax: '0.00' }],
        taxCodes: new Map([['RC2', { description: 'x', kind: 'REVERSE_CHARGE', invoiceNote: null }]]),
      }),
    );
    expect(bare.notes).toEqual(['Reverse charge']);
  });
});

describe('invoiceLineRow', () => {
  it('gives the product name, quantity, unit price, tax code and amounts of a line', () => {
    expect(invoiceLineRow(line(), 'ThinkPad X1 Carbon', 2).cells).toEqual({
      description: 'ThinkPad X1 Carbon\nLEN-X1',
      quantity: '2',
      unitPrice: '1000.00',
      taxCode: 'NZ-GST',
      net: '2000.00',
      tax: '300.00',
      gross: '2300.00',
    });
    const cloud = invoiceLineRow(
      line({
        sku: 'CL',
        quantity: 3,
        net: '100.00',
        periodStart: '2026-03-01',
        periodEnd: '2026-03-31',
        taxCode: null,
        taxRate: '0.10',
      }),
      undefined,
      0,
    );
    expect(cloud.cells).toMatchObject({
      description: 'ThinkPad X1 Carbon × 2, shipped 2026-03-30\nCL (2026-03-01 to 2026-03-31)',
      unitPrice: '33.33',
      taxCode: '10 %',
    });
  });

  it('keeps the columns apart: each ends before the next begins, inside the A4 margins', () => {
    const cols = Object.values(COLUMNS).sort((a, b) => a.x - b.x);
    for (let i = 1; i < cols.length; i++) expect(cols[i - 1].x + cols[i - 1].width).toBeLessThan(cols[i].x);
    expect(cols[0].x).toBeGreaterThanOrEqual(50);
    expect(cols[cols.length - 1].x + cols[cols.length - 1].width).toBeLessThanOrEqual(595 - 50);
  });
});

describe('streamInvoicePdf', () => {
  it('embeds the Unicode font and draws the buyer name in it', async () => {
    async function* pages(l: 'HARDWARE' | 'CLOUD'): AsyncGenerator<InvoiceLineView[]> {
      if (l === 'HARDWARE') yield [line()];
    }
    const doc = streamInvoicePdf(invoice(), parties(), pages, 2);
    const chunks: Buffer[] = [];
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      doc.on('data', (c: Buffer) => chunks.push(c));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
    });
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const raw = bytes.toString('latin1');
    expect(raw).toMatch(new RegExp(`/BaseFont /[A-Z]{6}\\+${INVOICE_FONT.regular}`));
    // The glyphs of 株, 式, 会, 社 and Ō are in the font's ToUnicode map, and the text decodes to the name.
    for (const cp of ['682a', '5f0f', '4f1a', '793e', '014c']) expect(raw.toLowerCase()).toContain(`<${cp}>`);
    const text = pdfText(bytes);
    expect(text).toContain('Ōtautahi Tech 株式会社');
    expect(text).toContain('ThinkPad X1 Carbon\nLEN-X1');
    expect(text).toContain('ABN 51 824 753 556');
  });
});
