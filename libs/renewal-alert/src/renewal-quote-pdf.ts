import PDFDocument from 'pdfkit';
import { useFont } from '#disty/invoicing';
import { RenewalQuoteView } from './dto/renewal-quote.response';

const COLS = { description: 50, quantity: 330, unit: 380, net: 470, right: 545 };

/**
 * A renewal quote as a PDF (pdfkit, like the invoicing module's credit notes): number, dates, end
 * customer, lines with quantity, unit price and net, the total before tax and the validity. Names
 * beyond Latin-1 are set in the invoices' bundled Unicode font (useFont). A quote has one line.
 */
export function streamRenewalQuotePdf(q: RenewalQuoteView): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: false,
    info: {
      Title: `Renewal quote ${q.number}`,
      Author: 'Disty',
      Subject: `Renewal quote ${q.number} for ${q.endCustomerName}`,
    },
  });
  const row = (c: { description: string; quantity: string; unit: string; net: string }, bold = false) => {
    const y = doc.y;
    useFont(doc, c.description, bold, 9);
    doc.text(c.description, COLS.description, y, { width: COLS.quantity - COLS.description - 10 });
    const endY = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    doc.text(c.quantity, COLS.quantity - 10, y, { width: 45, align: 'right' });
    doc.text(c.unit, COLS.unit - 10, y, { width: 80, align: 'right' });
    doc.text(c.net, COLS.net - 10, y, { width: 85, align: 'right' });
    doc.x = COLS.description;
    doc.y = Math.max(endY, y + 12) + 3;
  };
  const rule = () => {
    doc.moveTo(COLS.description, doc.y).lineTo(COLS.right, doc.y).lineWidth(0.5).stroke();
    doc.y += 4;
  };

  doc.font('Helvetica-Bold').fontSize(18).text('Renewal quote', COLS.description, 50);
  doc.font('Helvetica').fontSize(10);
  doc.text(`Quote ${q.number}`);
  doc.text(`Issue date ${q.issueDate}    Valid until ${q.validUntil}    Currency ${q.currency}`);
  doc.text(`Renews the ${q.source === 'SUBSCRIPTION' ? 'subscription term' : 'warranty'} ending ${q.termEnd}`);
  doc.moveDown();
  doc.font('Helvetica-Bold').text('End customer');
  useFont(doc, q.endCustomerName, false, 10);
  doc.text(q.endCustomerName);
  if (q.endCustomerReference) {
    useFont(doc, q.endCustomerReference, false, 10);
    doc.text(`Reference ${q.endCustomerReference}`);
  }
  doc.moveDown();
  row({ description: 'Description', quantity: 'Qty', unit: 'Unit price', net: 'Net' }, true);
  rule();
  for (const l of q.lines)
    row({
      description: `${l.sku}: ${l.description}`,
      quantity: String(l.quantity),
      unit: l.unitPrice,
      net: l.net,
    });
  rule();
  row({ description: 'Total before tax', quantity: '', unit: '', net: `${q.total} ${q.currency}` }, true);
  doc.moveDown();
  doc.font('Helvetica').fontSize(8);
  doc.text(
    `Prices are the catalog's current prices, before tax. Accept this quote by ${q.validUntil}; the change is then scheduled for the renewal.`,
    COLS.description,
  );
  doc.end();
  return doc;
}
