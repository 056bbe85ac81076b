import { pdfText } from '../../../test/support/pdf-text';
import { streamCreditNotePdf } from './credit-note-pdf';
import { CreditNoteView } from './dto/invoice.dto';
import { StatementView } from './dto/statement.dto';
import { INVOICE_FONT } from './invoice-pdf';
import { streamStatementPdf } from './statement-pdf';

async function bytesOf(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

const NAME = 'Ōtautahi Tech 株式会社';
const amounts = (net: string, tax: string, gross: string) => ({ net, tax, gross });

describe('credit-note and statement PDFs', () => {
  it('set a reseller name beyond Latin-1 in the bundled Unicode font, as tax invoices do', async () => {
    const note = {
      id: 'n1',
      number: 'CN-2026-000007',
      invoiceId: 'i1',
      invoiceNumber: 'INV-2026-000042',
      resellerId: 'r1',
      currency: 'NZD',
      issueDate: '2026-11-20',
      reason: 'Price match — 値引き',
      kind: 'ADJUSTMENT',
      subscriptionChangeId: null,
      lines: [],
      totals: {
        HARDWARE: amounts('10.00', '1.50', '11.50'),
        CLOUD: amounts('0.00', '0.00', '0.00'),
        all: amounts('10.00', '1.50', '11.50'),
      },
    } as unknown as CreditNoteView;
    const cn = await bytesOf(streamCreditNotePdf({ note, resellerName: NAME, title: 'Credit note', lineDescriptions: new Map() }));
    expect(cn.toString('latin1')).toMatch(new RegExp(`/BaseFont /[A-Z]{6}\\+${INVOICE_FONT.regular}`));
    expect(pdfText(cn)).toContain(NAME);
    expect(pdfText(cn)).toContain('Reason: Price match — 値引き');

    const statement: StatementView = {
      resellerId: 'r1',
      resellerName: NAME,
      from: '2026-11-01',
      to: '2026-11-30',
      currencies: [],
    };
    const st = await bytesOf(streamStatementPdf(statement));
    expect(pdfText(st)).toContain(NAME);
  });
});
