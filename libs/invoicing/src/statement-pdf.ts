import PDFDocument from 'pdfkit';
import { StatementView } from './dto/statement.dto';
import { useFont } from './invoice-pdf';

const COLS = { date: 50, type: 112, reference: 190, debit: 330, credit: 405, balance: 480, right: 545 };

/**
 * A statement of account as a PDF (pdfkit, like invoice-pdf.ts): per currency the opening balance,
 * the dated lines with their running balance, the closing balance and the aging as of `to`.
 */
export function streamStatementPdf(s: StatementView): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: false,
    info: { Title: `Statement of account ${s.resellerName} ${s.from} to ${s.to}`, Author: 'Disty' },
  });
  const row = (cells: { date: string; type: string; reference: string; debit: string; credit: string; balance: string }, bold = false) => {
    if (doc.y + 24 > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    doc.text(cells.date, COLS.date, y, { width: COLS.type - COLS.date - 4 });
    doc.text(cells.type, COLS.type, y, { width: COLS.reference - COLS.type - 4 });
    doc.text(cells.reference, COLS.reference, y, { width: COLS.debit - COLS.reference - 4 });
    doc.text(cells.debit, COLS.debit - 10, y, { width: 70, align: 'right' });
    doc.text(cells.credit, COLS.credit - 10, y, { width: 70, align: 'right' });
    doc.text(cells.balance, COLS.balance - 10, y, { width: 75, align: 'right' });
    doc.x = COLS.date;
    doc.y = y + 12;
  };

  doc.font('Helvetica-Bold').fontSize(18).text('Statement of account', COLS.date, 50);
  // The reseller's name may need more than Latin-1: the invoices' Unicode font then.
  useFont(doc, s.resellerName, false, 10);
  doc.text(s.resellerName);
  doc.font('Helvetica').text(`Reseller ${s.resellerId}`).text(`Period ${s.from} to ${s.to}`);
  doc.moveDown();
  if (!s.currencies.length) doc.text('No movements and nothing open.');
  for (const c of s.currencies) {
    doc.font('Helvetica-Bold').fontSize(12).text(`In ${c.currency}`, COLS.date);
    doc.moveDown(0.3);
    row(
      {
        date: 'Date',
        type: 'Type',
        reference: 'Reference',
        debit: 'Debit',
        credit: 'Credit',
        balance: 'Balance',
      },
      true,
    );
    row({ date: s.from, type: 'Opening', reference: '', debit: '', credit: '', balance: c.openingBalance });
    for (const l of c.lines)
      row({
        date: l.date,
        type: l.type,
        reference: l.reference ?? l.description.slice(0, 30),
        debit: l.debit,
        credit: l.credit,
        balance: l.balance,
      });
    row(
      {
        date: s.to,
        type: 'Closing',
        reference: '',
        debit: '',
        credit: '',
        balance: `${c.closingBalance} ${c.currency}`,
      },
      true,
    );
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(9).text(`Aging as of ${s.to} (days past due)`, COLS.date);
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(
        Object.entries(c.aging.buckets)
          .map(([k, v]) => `${k}: ${v}`)
          .join('    ') + `    total: ${c.aging.total} ${c.currency}`,
        COLS.date,
      );
    doc.moveDown();
  }
  doc.end();
  return doc;
}
