import PDFDocument from 'pdfkit';
import { csvText } from '#disty/core';
import { useFont } from '#disty/invoicing';
import { EndCustomerInvoiceView, SettlementView } from './dto/end-customer-invoice.dto';

const X = { left: 50, sku: 50, desc: 130, qty: 330, net: 370, tax: 430, gross: 490, right: 545 };

function pdf(title: string, author: string): PDFKit.PDFDocument {
  return new PDFDocument({ size: 'A4', margin: 50, compress: false, info: { Title: title, Author: author } });
}

function text(doc: PDFKit.PDFDocument, s: string, bold = false, size = 9): void {
  useFont(doc, s, bold, size);
  doc.text(s, X.left);
}

function row(doc: PDFKit.PDFDocument, cells: string[], bold = false): void {
  if (doc.y + 24 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const y = doc.y;
  const cols = [X.sku, X.desc, X.qty, X.net, X.tax, X.gross, X.right];
  cells.forEach((cell, i) => {
    useFont(doc, cell, bold, 8);
    const right = i >= 2;
    doc.text(cell, cols[i], y, { width: cols[i + 1] - cols[i] - 4, align: right ? 'right' : 'left' });
  });
  doc.x = X.left;
  doc.y = Math.max(doc.y, y + 12);
}

/**
 * The reseller's invoice to its end customer (docs/billing-on-behalf.md): in the reseller's name
 * and branding (legal name, address, tax id, logo URL, payment instructions), the end customer as
 * buyer, its tax treatment, the lines at the reseller's sell prices. The distributor is not named.
 */
export function streamEndCustomerInvoicePdf(inv: EndCustomerInvoiceView): PDFKit.PDFDocument {
  const doc = pdf(`${inv.number ?? 'DRAFT'} ${inv.seller.name}`, inv.seller.name);
  text(doc, inv.status === 'DRAFT' ? 'DRAFT INVOICE' : 'TAX INVOICE', true, 18);
  text(doc, inv.seller.name, true, 11);
  if (inv.seller.address) text(doc, inv.seller.address);
  if (inv.seller.taxId) text(doc, `Tax id ${inv.seller.taxId}`);
  if (inv.seller.logoUrl) text(doc, `Logo: ${inv.seller.logoUrl}`, false, 7);
  doc.moveDown();
  text(doc, `Invoice ${inv.number ?? '(draft, not numbered)'}`, true, 10);
  text(doc, `Issued ${inv.issueDate ?? '-'}   Due ${inv.dueDate ?? '-'}   Period to ${inv.periodEnd}`);
  doc.moveDown(0.5);
  text(doc, 'Bill to', true);
  text(doc, inv.buyer.name);
  if (inv.buyer.country) text(doc, inv.buyer.country);
  if (inv.buyer.taxId) text(doc, `Tax id ${inv.buyer.taxId}`);
  text(
    doc,
    `Tax treatment: ${inv.taxTreatment}${inv.taxTreatment === 'REVERSE_CHARGE' ? ' (tax to be accounted for by the recipient)' : ''}`,
  );
  doc.moveDown();
  row(doc, ['SKU', 'Description', 'Qty', 'Net', 'Tax', 'Gross'], true);
  for (const l of inv.lines ?? []) {
    const period = l.periodStart && l.periodEnd ? ` (${l.periodStart} to ${l.periodEnd})` : '';
    row(doc, [l.sku, `${l.description}${period}`, String(l.quantity), l.net, l.tax, l.gross]);
  }
  doc.moveDown(0.5);
  row(doc, ['', 'Total', '', inv.net, inv.tax, `${inv.gross} ${inv.currency}`], true);
  row(doc, ['', 'Paid', '', '', '', inv.amountPaid]);
  row(doc, ['', 'Amount due', '', '', '', `${inv.amountDue} ${inv.currency}`], true);
  if (inv.seller.paymentInstructions) {
    doc.moveDown();
    text(doc, 'How to pay', true);
    text(doc, inv.seller.paymentInstructions);
  }
  doc.end();
  return doc;
}

/** The remittance statement of a settlement: what was collected for the reseller, the fee, what was netted against which invoice, what was paid out. */
export function streamRemittancePdf(s: SettlementView, resellerName: string): PDFKit.PDFDocument {
  const doc = pdf(`Remittance ${s.id}`, 'Disty');
  text(doc, 'Remittance statement', true, 18);
  text(doc, resellerName, true, 11);
  text(doc, `Settlement ${s.id} on ${s.settledOn}`);
  doc.moveDown();
  text(doc, 'Collected on your behalf', true, 10);
  row(doc, ['Date', 'Invoice', 'Method', 'Reference', '', 'Amount'], true);
  for (const c of s.collections)
    row(doc, [c.receivedOn, c.endCustomerInvoiceNumber ?? '', c.method, c.reference.slice(0, 24), '', c.amount]);
  row(doc, ['', 'Collected', '', '', '', `${s.collected} ${s.currency}`], true);
  row(doc, ['', `Billing-services fee (${s.feePercent} %)`, '', '', '', `-${s.fee}`]);
  for (const n of s.nettedInvoices) row(doc, ['', `Applied to ${n.invoiceNumber}`, '', '', '', `-${n.amount}`]);
  row(doc, ['', 'Paid out to you', '', '', '', `${s.paidOut} ${s.currency}`], true);
  doc.end();
  return doc;
}

export const REMITTANCE_CSV_COLUMNS = [
  'settlement_id',
  'settled_on',
  'kind',
  'date',
  'document',
  'reference',
  'amount',
  'currency',
] as const;

/** The remittance as CSV: one row per collection, the fee, each netted invoice and the payout. */
export function remittanceRows(s: SettlementView): Array<Record<string, string>> {
  const base = { settlement_id: s.id, settled_on: s.settledOn, currency: s.currency };
  return [
    ...s.collections.map((c) => ({
      ...base,
      kind: `collection_${c.method.toLowerCase()}`,
      date: c.receivedOn,
      document: c.endCustomerInvoiceNumber ?? '',
      reference: csvText(c.reference),
      amount: c.amount,
    })),
    {
      ...base,
      kind: 'fee',
      date: s.settledOn,
      document: '',
      reference: `${s.feePercent} %`,
      amount: `-${s.fee}`,
    },
    ...s.nettedInvoices.map((n) => ({
      ...base,
      kind: 'netted',
      date: s.settledOn,
      document: n.invoiceNumber,
      reference: n.invoiceId,
      amount: `-${n.amount}`,
    })),
    { ...base, kind: 'paid_out', date: s.settledOn, document: '', reference: '', amount: s.paidOut },
  ];
}
