import PDFDocument from 'pdfkit';
import { CreditNoteView } from './dto/invoice.dto';
import { useFont } from './invoice-pdf';

const COLS = { description: 50, line: 300, net: 370, tax: 440, gross: 500, right: 545 };

export interface CreditNoteDocument {
  note: CreditNoteView;
  resellerName: string;
  /** "Adjustment note" (an Australian buyer's credit on a tax invoice) or "Credit note". */
  title: string;
  /** Invoice line id → "SKU: description". */
  lineDescriptions: Map<string, string>;
}

/**
 * A credit note as a PDF (pdfkit, like invoice-pdf.ts): its title, number, date, the invoice it
 * credits, the reason, the credited lines with net, tax and total, the totals per credit line and
 * overall. A note has at most 500 lines (CreateCreditNoteDto), so it is written in one go.
 */
export function streamCreditNotePdf(d: CreditNoteDocument): PDFKit.PDFDocument {
  const { note } = d;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: false,
    info: {
      Title: `${d.title} ${note.number}`,
      Author: 'Disty',
      Subject: `${d.title} ${note.number} on ${note.invoiceNumber}`,
    },
  });
  const money = (s: string) => `${s} ${note.currency}`;
  const row = (cells: { description: string; line?: string; net: string; tax: string; gross: string }, bold = false) => {
    if (doc.y + 28 > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const y = doc.y;
    useFont(doc, cells.description, bold, 9);
    doc.text(cells.description, COLS.description, y, { width: COLS.line - COLS.description - 10 });
    const endY = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    if (cells.line) doc.text(cells.line, COLS.line, y, { width: 60 });
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

  doc.font('Helvetica-Bold').fontSize(18).text(d.title, COLS.description, 50);
  doc.font('Helvetica').fontSize(10);
  doc.text(`${d.title} ${note.number}`);
  doc.text(`Issue date ${note.issueDate}    Currency ${note.currency}`);
  doc.text(`Original invoice ${note.invoiceNumber}`);
  useFont(doc, note.reason, false, 10);
  doc.text(`Reason: ${note.reason}`);
  doc.moveDown();
  doc.font('Helvetica-Bold').text('Customer');
  // The reseller's name may need more than Latin-1 ("Ōtautahi Tech 株式会社"): the invoices' Unicode font then.
  useFont(doc, d.resellerName, false, 10);
  doc.text(d.resellerName);
  doc.font('Helvetica').text(`Reseller ${note.resellerId}`);
  doc.moveDown();

  row({ description: 'Description', line: 'Credit line', net: 'Net', tax: 'Tax', gross: 'Total' }, true);
  rule();
  for (const l of note.lines) {
    row({
      description: d.lineDescriptions.get(l.invoiceLineId) ?? l.invoiceLineId,
      line: l.creditLine,
      net: l.net,
      tax: l.tax,
      gross: l.gross,
    });
  }
  rule();
  row({
    description: 'Hardware subtotal',
    net: note.totals.HARDWARE.net,
    tax: note.totals.HARDWARE.tax,
    gross: note.totals.HARDWARE.gross,
  });
  row({
    description: 'Cloud services subtotal',
    net: note.totals.CLOUD.net,
    tax: note.totals.CLOUD.tax,
    gross: note.totals.CLOUD.gross,
  });
  rule();
  row(
    {
      description: 'Total credited',
      net: note.totals.all.net,
      tax: note.totals.all.tax,
      gross: money(note.totals.all.gross),
    },
    true,
  );
  doc.moveDown();
  doc.font('Helvetica').fontSize(8);
  doc.text(
    `This ${d.title.toLowerCase()} reduces what is owed on invoice ${note.invoiceNumber}; any credit beyond it is applied to your next invoices, or refunded.`,
    COLS.description,
  );
  doc.end();
  return doc;
}
