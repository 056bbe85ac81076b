import { Dec } from '#disty/core';
import { balanced } from '#disty/ledger';
import { shipmentPosting } from './shipment-posting';

const R = '00000000-0000-4000-8000-000000000001';
const sides = (lines: ReturnType<typeof shipmentPosting>) =>
  lines.map((l) => [l.accountCode, l.debit ? `D ${l.debit.toFixed(2)}` : `C ${l.credit!.toFixed(2)}`, l.resellerId, l.currency]);

describe('shipmentPosting (docs/accounting.md §3, hardware line shipped)', () => {
  it('debits 1190 and credits 4000 with the net, debits 5000 and credits 2050 with the cost, reseller on every line', () => {
    const lines = shipmentPosting({ net: new Dec('3000'), cost: new Dec('1920') }, R, 'AUD');
    expect(sides(lines)).toEqual([
      ['1190', 'D 3000.00', R, 'AUD'],
      ['4000', 'C 3000.00', R, 'AUD'],
      ['5000', 'D 1920.00', R, 'AUD'],
      ['2050', 'C 1920.00', R, 'AUD'],
    ]);
    expect(balanced(lines)).toBe(true);
  });

  it.each([
    ['not known (null)', null],
    ['zero', new Dec(0)],
  ])('posts no cost lines when the cost is %s', (_, cost) => {
    expect(sides(shipmentPosting({ net: new Dec('80'), cost }, R, 'NZD'))).toEqual([
      ['1190', 'D 80.00', R, 'NZD'],
      ['4000', 'C 80.00', R, 'NZD'],
    ]);
  });

  it('gives fewer than two lines (nothing to post) for a zero-priced line without cost, but still posts the cost of a free line', () => {
    expect(shipmentPosting({ net: new Dec(0), cost: null }, R, 'AUD')).toEqual([]);
    expect(sides(shipmentPosting({ net: new Dec(0), cost: new Dec('5') }, R, 'AUD'))).toEqual([
      ['5000', 'D 5.00', R, 'AUD'],
      ['2050', 'C 5.00', R, 'AUD'],
    ]);
  });

  it('refuses a negative net', () => {
    expect(() => shipmentPosting({ net: new Dec('-1'), cost: null }, R, 'AUD')).toThrow(RangeError);
  });
});
