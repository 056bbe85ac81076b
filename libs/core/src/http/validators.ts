import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { isValidCalendarDate } from '../clock/calendar-date';
import { isCurrency, minorUnits } from '../money/currency';
import { DECIMAL_STRING } from '../money/decimal';

/**
 * A money amount as a decimal string with at most `maxDecimals` places (or, with
 * `currencyField`, at most that currency's minor units). Rejects numbers, exponents and spaces.
 */
export function IsMoneyString(
  opts: { min?: 'positive' | 'nonNegative' | 'any'; currencyField?: string; maxDecimals?: number } = {},
  validationOptions?: ValidationOptions,
) {
  return function (object: object, propertyName: string) {
    registerDecorator({
      name: 'isMoneyString',
      target: object.constructor,
      propertyName,
      options: validationOptions,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          if (typeof value !== 'string' || !DECIMAL_STRING.test(value)) return false;
          const decimals = value.includes('.') ? value.split('.')[1].length : 0;
          let max = opts.maxDecimals ?? 4;
          if (opts.currencyField) {
            const cur = (args.object as Record<string, unknown>)[opts.currencyField];
            if (isCurrency(cur)) max = minorUnits(cur);
          }
          if (decimals > max) return false;
          const negative = value.startsWith('-');
          const zero = /^-?0(\.0+)?$/.test(value);
          if ((opts.min ?? 'positive') === 'positive') return !negative && !zero;
          if (opts.min === 'nonNegative') return !negative || zero;
          return true;
        },
        defaultMessage(args: ValidationArguments) {
          const kind = (opts.min ?? 'positive') === 'positive' ? 'a positive' : opts.min === 'nonNegative' ? 'a non-negative' : 'a';
          return `${args.property} must be ${kind} decimal string with at most the currency's decimals (e.g. "1234.50")`;
        },
      },
    });
  };
}

/** A calendar date YYYY-MM-DD that exists, with a 4-digit year 0001–9999. */
export function IsCalendarDate(validationOptions?: ValidationOptions) {
  return function (object: object, propertyName: string) {
    registerDecorator({
      name: 'isCalendarDate',
      target: object.constructor,
      propertyName,
      options: validationOptions,
      validator: {
        validate(value: unknown) {
          return isValidCalendarDate(value);
        },
        defaultMessage(args: ValidationArguments) {
          return `${args.property} must be a calendar date YYYY-MM-DD`;
        },
      },
    });
  };
}
