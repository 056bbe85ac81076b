import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { isValidCalendarDate } from '../clock/calendar-date';
import { isCurrency, minorUnits } from '../money/currency';
import { DECIMAL_STRING } from '../money/decimal';
import { MAX_DOCUMENT_AMOUNT, withinDocumentMaximum } from '../money/limits';

/** The constraint an amount beyond MAX_DOCUMENT_AMOUNT fails: the validation pipe answers it with 422. */
export const AMOUNT_IN_RANGE = 'amountInRange';

/**
 * A money amount as a decimal string with at most `maxDecimals` places (or, with
 * `currencyField`, at most that currency's minor units). Rejects numbers, exponents and spaces.
 * Its absolute value is at most MAX_DOCUMENT_AMOUNT (a separate constraint, `amountInRange`,
 * answered 422 `amount-out-of-range`).
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
    registerDecorator({
      name: AMOUNT_IN_RANGE,
      target: object.constructor,
      propertyName,
      options: validationOptions,
      validator: {
        // Only judged once the value is a decimal string (the format has its own message).
        validate: (value: unknown) => typeof value !== 'string' || !DECIMAL_STRING.test(value) || withinDocumentMaximum(value),
        defaultMessage: (args: ValidationArguments) => `${args.property} must be at most ${MAX_DOCUMENT_AMOUNT} in absolute value`,
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
