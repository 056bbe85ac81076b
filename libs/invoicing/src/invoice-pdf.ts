import PDFDocument from 'pdfkit';
import { InvoiceLineView, InvoiceView } from './dto/invoice.dto';

const SECTIONS = [
  { line: 'HARDWARE', title: 'Hardware', credit: 'Hardware credit line' },
  { line: 'CLOUD', title: 'Cloud services', credit: 'Cloud credit line' },
] as const;

const COLS = { description: 50, qty: 330, net: 370, tax: 440, gross: 500, right: 545 };

/** Rows written between two turns of the event loop. */
const ROWS_PER_SLICE = 50;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Where the writer reads an invoice's lines from: pages of one credit line's lines, in order. */
export type InvoiceLinePages = (line: 'HARDWARE' | 'CLOUD') => AsyncIterable<InvoiceLineView[]>;

/**
 * The invoice as a PDF (pdfkit, standard Helvetica): header, bill-to, then one section per credit
 * line (hardware, then cloud services) with its lines and its own subtotal, net/tax/total per
 * line, and the invoice totals with what is paid and still due.
 *
 * Returned as a stream, its lines read page by page (`pages`) and written in slices of
 * ROWS_PER_SLICE with the event loop served in between, so an invoice of any size neither blocks
 * other requests nor has to fit in memory at once.
 */
export function streamInvoicePdf(inv: InvoiceView, pages: InvoiceLinePages): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: false,
    info: { Title: `Invoice ${inv.number}`, Author: 'Disty', Subject: `Invoice ${inv.number} for ${inv.resellerName}` },
  });
  writeInvoice(doc, inv, pages).catch((err: Error) => doc.destroy(err));
  return doc;
}

async function writeInvoice(doc: PDFKit.PDFDocument, inv: InvoiceView, pages: InvoiceLinePages): Promise<void> {
  const money = (s: string) => `${s} ${inv.currency}`;
  const ensure = (h: number) => {
    if (doc.y + h > doc.page.height - doc.page.margins.bottom) doc.addPage();
  };
  const row = (cells: { description: string; qty?: string; net: string; tax: string; gross: string }, bold = false) => {
    ensure(28);
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    doc.text(cells.description, COLS.description, y, { width: COLS.qty - COLS.description - 10 });
    const endY = doc.y;
    if (cells.qty) doc.text(cells.qty, COLS.qty, y, { width: 35, align: 'right' });
    doc.text(cells.net, COLS.net - 10, y, { width: 70, align: 'right' });
    doc.text(cells.tax, COLS.tax - 10, y, { width: 60, align: 'right' });
    doc.text(cells.gross, COLS.gross - 25, y, { width: 70, align: 'right' });
    doc.x = COLS.description;
    doc.y = Math.max(endY, y + 12) + 3;
  };
  const rule = () => {
    doc.moveTo(COLS.description, doc.y).lineTo(COLS.right, doc.y).lineWidth(0.5).stroke();
    doc.y += 4;
  };

  doc.font('Helvetica-Bold').fontSize(18).text('Tax invoice', COLS.description, 50);
  doc.font('Helvetica').fontSize(10);
  doc.text(`Invoice ${inv.number}`, { continued: false });
  doc.text(`Issue date ${inv.issueDate}    Due date ${inv.dueDate}    Period to ${inv.periodEnd}`);
  doc.text(`Status ${inv.status}    Currency ${inv.currency}    Tax rate ${inv.taxRate}`);
  doc.moveDown();
  doc.font('Helvetica-Bold').text('Bill to');
  doc.font('Helvetica').text(inv.resellerName).text(`Reseller ${inv.resellerId}`);
  doc.moveDown();

  for (const s of SECTIONS) {
    ensure(60);
    doc.font('Helvetica-Bold').fontSize(12).text(`${s.title} (${s.credit})`, COLS.description);
    doc.moveDown(0.3);
    row({ description: 'Description', qty: 'Qty', net: 'Net', tax: 'Tax', gross: 'Total' }, true);
    rule();
    let written = 0;
    for await (const lines of pages(s.line)) {
      for (const l of lines) {
        row(lineCells(l));
        // Let the event loop breathe: other requests are served between slices of a large invoice.
        if (++written % ROWS_PER_SLICE === 0) await yieldToEventLoop();
      }
    }
    if (!written) {
      doc.font('Helvetica-Oblique').fontSize(9).text(`No ${s.title.toLowerCase()} on this invoice.`, COLS.description);
      doc.moveDown(0.5);
    }
    rule();
    const t = inv.totals[s.line];
    row({ description: `${s.title} subtotal`, net: t.net, tax: t.tax, gross: t.gross }, true);
    doc.moveDown();
  }

  ensure(90);
  rule();
  row({ description: 'Invoice total', net: inv.totals.all.net, tax: inv.totals.all.tax, gross: money(inv.totals.all.gross) }, true);
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(10);
  doc.text(`Amount paid: ${money(inv.amountPaid)}`, COLS.description);
  const nonZero = (v: string) => /[1-9]/.test(v);
  if (nonZero(inv.amountCredited)) doc.text(`Credited: ${money(inv.amountCredited)}`);
  if (nonZero(inv.creditsApplied)) doc.text(`Credits applied: ${money(inv.creditsApplied)}`);
  if (nonZero(inv.creditUsed)) doc.text(`Credit used on other invoices or refunded: ${money(inv.creditUsed)}`);
  doc.font('Helvetica-Bold').text(`Amount due: ${money(inv.amountDue)}${nonZero(inv.amountDue) ? ` by ${inv.dueDate}` : ''}`);
  if (nonZero(inv.creditBalance)) doc.text(`Credit balance: ${money(inv.creditBalance)} (applied to your next invoices, or refunded)`);
  doc.font('Helvetica').fontSize(8).moveDown();
  doc.text(`Please quote ${inv.number} with your payment.`);
  doc.end();
}

function lineCells(l: InvoiceLineView) {
  const period = l.periodStart && l.periodEnd ? ` (${l.periodStart} to ${l.periodEnd})` : '';
  return {
    description: `${l.sku}: ${l.description}${l.description.includes(l.periodStart ?? '\u0000') ? '' : period}`,
    qty: String(l.quantity),
    net: l.net,
    tax: l.tax,
    gross: l.gross,
  };
}
