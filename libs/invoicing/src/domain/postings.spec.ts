import fc from 'fast-check';
import { Dec } from '#disty/core';
import { invoiceTotals, shippedNet } from './invoice-math';
import { balanced } from '#disty/ledger';
import { creditNotePosting, invoicePosting } from './postings';

const cents = fc.integer({ min: -1_000_000, max: 10_000_000 }).map((n) => new Dec(n).div(100));
const line = fc
  .record({
    creditLine: fc.constantFrom<'HARDWARE' | 'CLOUD'>('HARDWARE', 'CLOUD'),
    net: cents,
    tax: cents,
  })
  .map((l) => ({ ...l, gross: l.net.plus(l.tax) }));

describe('posting rules', () => {
  it('posts an invoice as docs/accounting.md §3 says: 1100/1110 gross, 4000 hardware net, 2400 cloud net (deferred), 2100 tax', () => {
    const t = invoiceTotals([
      { creditLine: 'HARDWARE', net: new Dec('1000'), tax: new Dec('100'), gross: new Dec('1100') },
      { creditLine: 'CLOUD', net: new Dec('200'), tax: new Dec('20'), gross: new Dec('220') },
    ]);
    const lines = invoicePosting(t, 'r', 'AUD').map((l) => [l.accountCode, l.debit?.toFixed() ?? `-${l.credit!.toFixed()}`]);
    expect(lines).toEqual([
      ['1100', '1100'],
      ['1110', '220'],
      ['4000', '-1000'],
      ['2400', '-200'],
      ['2100', '-120'],
    ]);
  });

  it('posts a credit note with its still-deferred cloud part to 2400 and the rest to 4900', () => {
    const t = invoiceTotals([{ creditLine: 'CLOUD', net: new Dec('300'), tax: new Dec('30'), gross: new Dec('330') }]);
    const lines = creditNotePosting(t, 'r', 'AUD', new Dec('120')).map((l) => [
      l.accountCode,
      l.debit?.toFixed() ?? `-${l.credit!.toFixed()}`,
    ]);
    expect(lines).toEqual([
      ['2400', '120'],
      ['4900', '180'],
      ['2100', '30'],
      ['1110', '-330'],
    ]);
  });

  it('credits 1190 instead of 4000 with the net of hardware lines whose shipment posted revenue (docs/accounting.md §3)', () => {
    const items = [
      {
        creditLine: 'HARDWARE' as const,
        net: new Dec('3000'),
        tax: new Dec('300'),
        gross: new Dec('3300'),
        shipmentPosted: true,
      },
      {
        creditLine: 'HARDWARE' as const,
        net: new Dec('200'),
        tax: new Dec('20'),
        gross: new Dec('220'),
        shipmentPosted: false,
      },
      { creditLine: 'CLOUD' as const, net: new Dec('50'), tax: new Dec('5'), gross: new Dec('55') },
    ];
    const shipped = shippedNet(items);
    expect(shipped.toFixed()).toBe('3000');
    const lines = invoicePosting(invoiceTotals(items), 'r', 'AUD', shipped).map((l) => [
      l.accountCode,
      l.debit?.toFixed() ?? `-${l.credit!.toFixed()}`,
    ]);
    expect(lines).toEqual([
      ['1100', '3520'],
      ['1110', '55'],
      ['1190', '-3000'],
      ['4000', '-200'],
      ['2400', '-50'],
      ['2100', '-325'],
    ]);
    // Every hardware line shipped with its posting: no 4000 line at all.
    const all = invoicePosting(invoiceTotals(items.slice(0, 1)), 'r', 'AUD', shippedNet(items.slice(0, 1)));
    expect(all.map((l) => l.accountCode)).toEqual(['1100', '1190', '2100']);
  });

  it('every invoice and credit-note posting balances, has one positive side per line and no zero line (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (lines) => {
        const t = invoiceTotals(lines);
        const shipped = shippedNet(lines.map((l, i) => ({ ...l, shipmentPosted: i % 2 === 0 && l.net.gt(0) })));
        for (const posting of [invoicePosting(t, 'r', 'AUD'), invoicePosting(t, 'r', 'AUD', shipped), creditNotePosting(t, 'r', 'AUD')]) {
          expect(balanced(posting)).toBe(true);
          for (const l of posting) {
            const sides = [l.debit, l.credit].filter((x) => x !== undefined) as Dec[];
            expect(sides).toHaveLength(1);
            expect(sides[0].gt(0)).toBe(true);
          }
        }
      }),
    );
  });
});
