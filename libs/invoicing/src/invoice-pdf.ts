import * as fs from 'fs';
import * as path from 'path';
import PDFDocument from 'pdfkit';
import { Dec } from '#disty/core';
import { InvoiceLineView, InvoiceView } from './dto/invoice.dto';

const SECTIONS = [
  { line: 'HARDWARE', title: 'Hardware', credit: 'Hardware credit line' },
  { line: 'CLOUD', title: 'Cloud services', credit: 'Cloud credit line' },
] as const;

/** Column x positions (A4, 50 pt margins: 50 to 545) of the line table; each cell ends before the next starts. */
export const COLUMNS = {
  description: { x: 50, width: 160 },
  quantity: { x: 212, width: 28 },
  unitPrice: { x: 242, width: 62 },
  taxCode: { x: 308, width: 50 },
  net: { x: 360, width: 62 },
  tax: { x: 424, width: 54 },
  gross: { x: 480, width: 65 },
} as const;
export type ColumnKey = keyof typeof COLUMNS;

/** Rows written between two turns of the event loop. */
const ROWS_PER_SLICE = 50;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Where the writer reads an invoice's lines from: pages of one credit line's lines, in order. */
export type InvoiceLinePages = (line: 'HARDWARE' | 'CLOUD') => AsyncIterable<InvoiceLineView[]>;

/** Everything a tax invoice shows beyond the invoice itself (docs/accounting.md §11, "Tax invoices"). */
export interface InvoiceParties {
  supplier: {
    legalName: string;
    taxRegistrationLabel: string;
    taxRegistration: string;
    address: string;
    email: string;
    bank: { accountName: string; bankName: string; bsb: string; accountNumber: string; swift: string };
  };
  buyer: {
    legalName: string;
    address: string | null;
    country: string;
    taxId: string | null;
    taxRegistered: boolean;
  };
  /** Tax per code on the invoice, in code order. */
  taxByCode: Array<{ taxCode: string | null; rate: string; net: string; tax: string }>;
  /** The codes on the invoice as they are described now (description, kind, the note they print). */
  taxCodes: Map<string, { description: string; kind: string; invoiceNote: string | null }>;
  /** Product names by SKU. */
  productNames: Map<string, string>;
}

export interface TableRow {
  cells: Partial<Record<ColumnKey, string>>;
  bold?: boolean;
}

/** The document model of a tax invoice: what goes where, without pdfkit (unit-tested on its own). */
export interface InvoiceDocument {
  title: string;
  supplier: string[];
  meta: Array<[string, string]>;
  billTo: string[];
  header: TableRow;
  sections: Array<{ line: 'HARDWARE' | 'CLOUD'; title: string; subtotal: TableRow; empty: string }>;
  /** Label and value pairs, one per line, values right-aligned in their own column. */
  totals: Array<{ label: string; value: string; bold?: boolean }>;
  taxSummary: Array<[string, string, string]>;
  notes: string[];
  payment: string[];
}

const nonZero = (v: string) => /[1-9]/.test(v);

/**
 * The invoice's document model: supplier with its tax registration and address, the buyer's legal
 * name, address and tax id, the line table's header and subtotals, totals one per line, tax per
 * code, the notes the codes require (reverse charge) and payment instructions.
 */
export function buildInvoiceDocument(inv: InvoiceView, p: InvoiceParties): InvoiceDocument {
  const money = (s: string) => `${s} ${inv.currency}`;
  const s = p.supplier;
  const b = p.buyer;
  const codes = p.taxByCode.map((t) => t.taxCode).filter((c): c is string => c !== null);
  const notes = [...new Set(codes.map((c) => p.taxCodes.get(c)?.invoiceNote).filter((n): n is string => !!n))];
  const reverseCharge = codes.some((c) => p.taxCodes.get(c)?.kind === 'REVERSE_CHARGE');
  if (reverseCharge && !notes.some((n) => /reverse charge/i.test(n))) notes.unshift('Reverse charge');
  const totals: InvoiceDocument['totals'] = [
    { label: 'Subtotal (excluding tax)', value: money(inv.totals.all.net) },
    { label: 'Tax', value: money(inv.totals.all.tax) },
    { label: 'Invoice total', value: money(inv.totals.all.gross), bold: true },
    { label: 'Amount paid:', value: money(inv.amountPaid) },
  ];
  if (nonZero(inv.amountCredited)) totals.push({ label: 'Credited:', value: money(inv.amountCredited) });
  if (nonZero(inv.creditsApplied)) totals.push({ label: 'Credits applied:', value: money(inv.creditsApplied) });
  if (nonZero(inv.creditUsed)) totals.push({ label: 'Credit used on other invoices or refunded:', value: money(inv.creditUsed) });
  totals.push({ label: 'Amount due:', value: money(inv.amountDue), bold: true });
  if (nonZero(inv.creditBalance)) totals.push({ label: 'Credit balance:', value: money(inv.creditBalance) });
  return {
    title: 'Tax invoice',
    supplier: [s.legalName, `${s.taxRegistrationLabel} ${s.taxRegistration}`, s.address, s.email],
    meta: [
      ['Invoice', inv.number],
      ['Issue date', inv.issueDate],
      ['Due date', inv.dueDate],
      ['Period to', inv.periodEnd],
      ['Currency', inv.currency],
      ['Status', inv.status],
    ],
    billTo: [
      b.legalName,
      ...(b.address ? [b.address] : []),
      ...(b.taxId ? [`Tax id ${b.taxId}${b.taxRegistered ? ' (registered)' : ''}`] : []),
      `Country ${b.country}`,
    ],
    header: {
      cells: {
        description: 'Product',
        quantity: 'Qty',
        unitPrice: 'Unit price',
        taxCode: 'Tax code',
        net: 'Net',
        tax: 'Tax',
        gross: 'Total',
      },
      bold: true,
    },
    sections: SECTIONS.map((sec) => ({
      line: sec.line,
      title: `${sec.title} (${sec.credit})`,
      subtotal: {
        cells: {
          description: `${sec.title} subtotal`,
          net: inv.totals[sec.line].net,
          tax: inv.totals[sec.line].tax,
          gross: inv.totals[sec.line].gross,
        },
        bold: true,
      },
      empty: `No ${sec.title.toLowerCase()} on this invoice.`,
    })),
    totals,
    taxSummary: p.taxByCode.map((t) => {
      const d = t.taxCode ? p.taxCodes.get(t.taxCode)?.description : undefined;
      const rate = `${new Dec(t.rate).times(100).toDecimalPlaces(4).toFixed()} %`;
      return [`${t.taxCode ?? 'No code'} (${d ?? rate})`, `on ${money(t.net)}`, money(t.tax)];
    }),
    notes,
    payment: [
      `Please pay ${money(inv.amountDue)} by ${inv.dueDate}, quoting ${inv.number}.`,
      `Account name: ${s.bank.accountName}`,
      `Bank: ${s.bank.bankName}    BSB: ${s.bank.bsb}    Account: ${s.bank.accountNumber}    SWIFT: ${s.bank.swift}`,
    ],
  };
}

/** One invoice line as table cells: product name (then SKU and period on the next line), quantity, unit price, tax code, net, tax, total. */
export function invoiceLineRow(l: InvoiceLineView, productName: string | undefined, currencyDecimals: number): TableRow {
  const period = l.periodStart && l.periodEnd ? ` (${l.periodStart} to ${l.periodEnd})` : '';
  const unit =
    l.quantity > 0
      ? new Dec(l.net).div(l.quantity).toDecimalPlaces(Math.max(currencyDecimals, 2)).toFixed(Math.max(currencyDecimals, 2))
      : l.net;
  return {
    cells: {
      description: `${productName ?? l.description}\n${l.sku}${period}`,
      quantity: String(l.quantity),
      unitPrice: unit,
      taxCode: l.taxCode ?? `${new Dec(l.taxRate).times(100).toFixed()} %`,
      net: l.net,
      tax: l.tax,
      gross: l.gross,
    },
  };
}

/** The bundled Unicode font (Noto Sans JP, OFL: Latin with macrons, CJK): regular and bold. */
export const INVOICE_FONT = { regular: 'NotoSansJP-Regular', bold: 'NotoSansJP-Bold' } as const;

/** What pdfkit needs of a parsed font (pdfkit takes a fontkit font object as a font source). */
interface ParsedFont {
  layout: (...args: unknown[]) => unknown;
}
let unicodeFonts: { regular: ParsedFont; bold: ParsedFont } | null = null;

/**
 * The bundled font, read and parsed once per process (parsing a CJK font takes about a second;
 * each document then only subsets the glyphs it uses).
 */
function parsedUnicodeFonts(): { regular: ParsedFont; bold: ParsedFont } {
  if (!unicodeFonts) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fontkit = require('fontkit') as { create: (b: Buffer) => ParsedFont };
    // The package exports only its JS entry; the fonts sit beside it (node_modules/@embedpdf/fonts-jp/fonts).
    const dir = path.join(path.dirname(require.resolve('@embedpdf/fonts-jp')), '..', 'fonts');
    unicodeFonts = {
      regular: fontkit.create(fs.readFileSync(path.join(dir, `${INVOICE_FONT.regular}.otf`))),
      bold: fontkit.create(fs.readFileSync(path.join(dir, `${INVOICE_FONT.bold}.otf`))),
    };
  }
  return unicodeFonts;
}

/** Text that the built-in Helvetica (WinAnsi) cannot show: anything beyond Latin-1. */
export const needsUnicodeFont = (text: string) => [...text].some((c) => c.codePointAt(0)! > 0xff);

/**
 * Sets the font for one run of text: Helvetica for Latin-1 text (built in, fast to lay out, so an
 * invoice of thousands of lines stays quick), the bundled Noto Sans JP for anything else (names
 * such as "Ōtautahi Tech 株式会社"), registered on the document the first time it is needed.
 */
export function useFont(doc: PDFKit.PDFDocument, text: string, bold: boolean, size: number): void {
  if (needsUnicodeFont(text)) {
    const d = doc as PDFKit.PDFDocument & { _unicodeFonts?: boolean };
    if (!d._unicodeFonts) {
      const f = parsedUnicodeFonts();
      doc.registerFont('Unicode', f.regular as unknown as Buffer);
      doc.registerFont('Unicode-Bold', f.bold as unknown as Buffer);
      d._unicodeFonts = true;
    }
    doc.font(bold ? 'Unicode-Bold' : 'Unicode');
  } else {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
  }
  doc.fontSize(size);
}

/**
 * The tax invoice as a PDF (pdfkit): supplier and buyer, one section per credit line (hardware,
 * then cloud services) with its lines and subtotal, totals one per line, tax per code, notes and
 * payment instructions. Text beyond Latin-1 is set in the bundled Unicode font (useFont).
 *
 * Returned as a stream, its lines read page by page (`pages`) and written in slices of
 * ROWS_PER_SLICE with the event loop served in between, so an invoice of any size neither blocks
 * other requests nor has to fit in memory at once.
 */
export function streamInvoicePdf(
  inv: InvoiceView,
  parties: InvoiceParties,
  pages: InvoiceLinePages,
  currencyDecimals: number,
): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: false,
    info: {
      Title: `Tax invoice ${inv.number}`,
      Author: parties.supplier.legalName,
      Subject: `Tax invoice ${inv.number} for ${inv.resellerName}`,
    },
  });
  writeInvoice(doc, buildInvoiceDocument(inv, parties), parties, pages, currencyDecimals).catch((err: Error) => doc.destroy(err));
  return doc;
}

async function writeInvoice(
  doc: PDFKit.PDFDocument,
  model: InvoiceDocument,
  parties: InvoiceParties,
  pages: InvoiceLinePages,
  currencyDecimals: number,
): Promise<void> {
  const left = COLUMNS.description.x;
  const right = COLUMNS.gross.x + COLUMNS.gross.width;
  const put = (text: string, o: { bold?: boolean; size: number; x?: number; y?: number; width?: number; align?: 'left' | 'right' }) => {
    useFont(doc, text, !!o.bold, o.size);
    doc.text(text, o.x ?? left, o.y ?? doc.y, {
      width: o.width ?? right - (o.x ?? left),
      align: o.align ?? 'left',
    });
  };
  const ensure = (h: number) => {
    if (doc.y + h > doc.page.height - doc.page.margins.bottom) doc.addPage();
  };
  const row = (r: TableRow) => {
    ensure(26);
    const y = doc.y;
    let bottom = y + 10;
    for (const key of Object.keys(COLUMNS) as ColumnKey[]) {
      const text = r.cells[key];
      if (text === undefined) continue;
      const c = COLUMNS[key];
      put(text, {
        bold: r.bold,
        size: 8,
        x: c.x,
        y,
        width: c.width,
        align: key === 'description' || key === 'taxCode' ? 'left' : 'right',
      });
      bottom = Math.max(bottom, doc.y);
    }
    doc.x = left;
    doc.y = bottom + 3;
  };
  const rule = () => {
    doc.moveTo(left, doc.y).lineTo(right, doc.y).lineWidth(0.5).stroke();
    doc.y += 4;
  };
  /** Label and value pairs: the label from labelX, the value right-aligned in its own column. */
  const pairs = (items: Array<{ label: string; value: string; bold?: boolean }>, labelX: number, valueWidth: number) => {
    for (const it of items) {
      ensure(16);
      const y = doc.y;
      put(it.label, { bold: it.bold, size: 9, x: labelX, y, width: right - labelX - valueWidth - 8 });
      const h = doc.y;
      put(it.value, { bold: it.bold, size: 9, x: right - valueWidth, y, width: valueWidth, align: 'right' });
      doc.y = Math.max(h, doc.y) + 2;
    }
    doc.x = left;
  };

  // Supplier (left) and invoice details (right), then the buyer.
  put(model.title, { bold: true, size: 18, y: 50 });
  const top = doc.y + 4;
  put(model.supplier[0], { bold: true, size: 10, y: top, width: 260 });
  for (const l of model.supplier.slice(1)) put(l, { size: 9, width: 260 });
  const supplierBottom = doc.y;
  doc.y = top;
  for (const [k, v] of model.meta) {
    const y = doc.y;
    put(k, { size: 9, x: 340, y, width: 70 });
    put(v, { bold: true, size: 9, x: 410, y, width: right - 410, align: 'right' });
  }
  doc.y = Math.max(supplierBottom, doc.y) + 12;
  put('Bill to', { bold: true, size: 10 });
  for (const l of model.billTo) put(l, { size: 9, width: 300 });
  doc.moveDown();

  for (const s of model.sections) {
    ensure(60);
    put(s.title, { bold: true, size: 11 });
    doc.moveDown(0.3);
    row(model.header);
    rule();
    let written = 0;
    for await (const lines of pages(s.line)) {
      for (const l of lines) {
        row(invoiceLineRow(l, parties.productNames.get(l.sku), currencyDecimals));
        // Let the event loop breathe: other requests are served between slices of a large invoice.
        if (++written % ROWS_PER_SLICE === 0) await yieldToEventLoop();
      }
    }
    if (!written) {
      put(s.empty, { size: 8 });
      doc.moveDown(0.5);
    }
    rule();
    row(s.subtotal);
    doc.moveDown();
  }

  ensure(120);
  rule();
  pairs(model.totals, 300, 110);
  if (model.taxSummary.length) {
    doc.moveDown(0.5);
    ensure(30);
    put('Tax by code', { bold: true, size: 9 });
    for (const [code, base, tax] of model.taxSummary) {
      ensure(14);
      const y = doc.y;
      put(code, { size: 8, y, width: 250 });
      const h = doc.y;
      put(base, { size: 8, x: 305, y, width: 120, align: 'right' });
      put(tax, { size: 8, x: right - 110, y, width: 110, align: 'right' });
      doc.y = Math.max(h, doc.y) + 2;
    }
  }
  if (model.notes.length) {
    doc.moveDown(0.5);
    for (const n of model.notes) put(n, { bold: true, size: 9 });
  }
  doc.moveDown();
  ensure(50);
  put('How to pay', { bold: true, size: 9 });
  for (const l of model.payment) put(l, { size: 8 });
  doc.end();
}
