export const PROBLEM_BASE = 'https://disty.dev/problems/';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * A domain error that maps to an RFC 9457 problem. Modules declare their codes in their own
 * errors.ts with a Record<Code, { status, title }> so no code lacks an HTTP mapping.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

export interface ProblemSpec {
  status: number;
  title: string;
}

/** Builds a module's error class from its code table. */
export function defineErrors<C extends string>(table: Record<C, ProblemSpec>) {
  return (code: C, detail: string, extensions: Record<string, unknown> = {}): ProblemError =>
    new ProblemError(table[code].status, code, table[code].title, detail, extensions);
}

export enum CoreErrorCode {
  Validation = 'validation',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not-found',
  Conflict = 'conflict',
  IdempotencyKeyReuse = 'idempotency-key-reuse',
  PayloadTooLarge = 'payload-too-large',
  UnsupportedMediaType = 'unsupported-media-type',
  TooManyRequests = 'too-many-requests',
  AmountOutOfRange = 'amount-out-of-range',
  Internal = 'internal',
}

export const CORE_ERRORS: Record<CoreErrorCode, ProblemSpec> = {
  [CoreErrorCode.Validation]: { status: 400, title: 'Invalid request' },
  [CoreErrorCode.Unauthenticated]: { status: 401, title: 'Authentication required' },
  [CoreErrorCode.Forbidden]: { status: 403, title: 'Not allowed for this role' },
  [CoreErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [CoreErrorCode.Conflict]: { status: 409, title: 'Conflict' },
  [CoreErrorCode.IdempotencyKeyReuse]: { status: 409, title: 'Idempotency key reused with another request' },
  [CoreErrorCode.PayloadTooLarge]: { status: 413, title: 'Request body too large' },
  [CoreErrorCode.UnsupportedMediaType]: { status: 415, title: 'Unsupported media type' },
  [CoreErrorCode.TooManyRequests]: { status: 429, title: 'Too many requests' },
  [CoreErrorCode.AmountOutOfRange]: { status: 422, title: 'Amount out of range' },
  [CoreErrorCode.Internal]: { status: 500, title: 'Internal error' },
};

export const coreError = defineErrors(CORE_ERRORS);

export function validationError(detail: string, errors: FieldError[] = []): ProblemError {
  return new ProblemError(400, CoreErrorCode.Validation, CORE_ERRORS.validation.title, detail, {}, errors);
}

/** An amount beyond MAX_DOCUMENT_AMOUNT, or a total the database cannot hold (SQLSTATE 22003). */
export function amountOutOfRange(detail: string, errors?: FieldError[]): ProblemError {
  const spec = CORE_ERRORS[CoreErrorCode.AmountOutOfRange];
  return new ProblemError(spec.status, CoreErrorCode.AmountOutOfRange, spec.title, detail, {}, errors);
}

export function notFound(what: string): ProblemError {
  return coreError(CoreErrorCode.NotFound, `${what} was not found`);
}

/** The SQLSTATE of a PostgreSQL error (a TypeORM QueryFailedError carries it on itself and on driverError). */
export function sqlState(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.code ?? e?.driverError?.code;
  return typeof code === 'string' ? code : undefined;
}
