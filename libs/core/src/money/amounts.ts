import { ApiProperty } from '@nestjs/swagger';
import { Currency } from './currency';
import { Dec } from './decimal';
import { Money } from './money';

/** A document's or a line's net, tax and gross (gross = net + tax). The one definition; modules import it from #disty/core. */
export interface Amounts {
  net: Dec;
  tax: Dec;
  gross: Dec;
}

/** Rounded half-up to the currency's minor unit (half away from zero for credits), docs/accounting.md §4. */
export function roundMoney(amount: Dec, currency: Currency): Dec {
  return Money.of(amount, currency).round().amount;
}

/** A tax rate as the API shows it: at least two decimals, never fewer than it has ('0.1' → '0.10'). */
export function formatRate(rate: Dec | string): string {
  const d = new Dec(rate.toString());
  return d.toFixed(Math.max(2, d.decimalPlaces()));
}

/** `Amounts` as the API shows them: money strings in the document's currency. */
export class AmountsView {
  @ApiProperty({ example: '100.00' }) net: string;
  @ApiProperty({ example: '10.00' }) tax: string;
  @ApiProperty({ example: '110.00' }) gross: string;
}
