import { ValidationError, ValidationPipe } from '@nestjs/common';
import { amountOutOfRange, FieldError, validationError } from '../errors/problem';
import { cacheValidationRules } from './validation-metadata-cache';
import { AMOUNT_IN_RANGE } from './validators';

/** Does any error (nested included) fail `constraint`? */
function fails(errors: ValidationError[], constraint: string): boolean {
  return errors.some((e) => constraint in (e.constraints ?? {}) || fails(e.children ?? [], constraint));
}

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({ field, message: message.replace(/^property (\S+) should not exist$/, 'unknown field') });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/**
 * whitelist + forbidNonWhitelisted + transform, answering 400 problem+json with field errors, or
 * 422 `amount-out-of-range` when an amount is beyond MAX_DOCUMENT_AMOUNT (every error listed).
 * Each class's rules are looked up once (cacheValidationRules).
 */
export function createValidationPipe(): ValidationPipe {
  cacheValidationRules();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      const detail = fields.length ? fields.map((f) => `${f.field}: ${f.message}`).join('; ') : 'Invalid request';
      return fails(errors, AMOUNT_IN_RANGE) ? amountOutOfRange(detail, fields) : validationError(detail, fields);
    },
  });
}
