import type { OpenAPIObject, OperationObject, ParameterObject, ReferenceObject, ResponseObject } from '@nestjs/swagger';
import { EXT_PROBLEMS, EXT_PUBLIC, EXT_ROLES, EXT_UNTHROTTLED } from './decorators';

/**
 * The error half of the API contract, added in one place (docs/api-conventions.md §3, §10): every
 * operation gets the problem+json responses it can answer, as references to shared responses
 * whose body is the `ProblemDetails` schema that ProblemDetailsFilter writes
 * (libs/core/src/errors/problem.filter.ts); public routes get `security: []`, the others the
 * bearer scheme. The `x-disty-*` extensions the decorators left are removed.
 */
export const PROBLEM_JSON = 'application/problem+json';

const FIELD_ERROR = {
  type: 'object',
  required: ['field', 'message'],
  properties: {
    field: {
      type: 'string',
      description: 'The field (dotted path, e.g. `lines.0.quantity`) or header that is wrong',
      example: 'lines.0.quantity',
    },
    message: { type: 'string', example: 'must be a positive integer' },
  },
};

const PROBLEM_DETAILS = {
  type: 'object',
  description:
    'An RFC 9457 problem. Some problems carry extension members beside these (e.g. `credit-limit-exceeded` has `creditLine`, `available`, `requested`): docs/api-conventions.md §3.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: {
      type: 'string',
      format: 'uri',
      description: 'https://disty.dev/problems/<slug>; the slug names the problem',
      example: 'https://disty.dev/problems/validation',
    },
    title: { type: 'string', description: "The slug's fixed title", example: 'Invalid request' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status', example: 400 },
    detail: {
      type: 'string',
      description: 'What went wrong in this request',
      example: 'lines.0.quantity: must be a positive integer',
    },
    instance: { type: 'string', description: 'RFC 9457 member; not sent today' },
    errors: {
      type: 'array',
      description: 'Every failing field, when the problem is about fields',
      items: { $ref: '#/components/schemas/FieldError' },
    },
  },
  additionalProperties: true,
};

/** Status → the shared response it refers to. */
const PROBLEM_RESPONSES: Record<number, { name: string; description: string }> = {
  400: {
    name: 'BadRequest',
    description: 'Invalid request (`validation`): a field, query parameter or header is wrong; every failing field is listed in `errors`',
  },
  401: { name: 'Unauthenticated', description: 'No valid bearer token (`unauthenticated`)' },
  403: { name: 'Forbidden', description: "The token's role may not call this operation (`forbidden`)" },
  404: {
    name: 'NotFound',
    description: "Not found (`not-found`), or another reseller's resource: its existence is not disclosed",
  },
  409: {
    name: 'Conflict',
    description: 'Conflicts with the current state (e.g. `conflict`, `idempotency-key-reuse`, or a module slug)',
  },
  413: { name: 'PayloadTooLarge', description: 'The body is over 1 MB (`payload-too-large`)' },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not in a media type this operation takes (`unsupported-media-type`)',
  },
  422: {
    name: 'UnprocessableContent',
    description: 'Well-formed but refused by a business rule (a module slug, or `amount-out-of-range`); nothing was changed',
  },
  429: { name: 'TooManyRequests', description: 'Rate limit reached (`too-many-requests`); retry later' },
  500: {
    name: 'InternalError',
    description: 'An unexpected error (`internal`), logged with the request id named in `detail`',
  },
  503: {
    name: 'ServiceUnavailable',
    description: 'A service this operation needs is not configured or not reachable; retry later',
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

type Op = OperationObject & Record<string, unknown>;

/** Statuses the operation can answer with a problem, from its shape and its decorators. */
function problemStatuses(op: Op, isPublic: boolean): number[] {
  const params = (op.parameters ?? []) as ParameterObject[];
  const statuses = new Set<number>([500, ...((op[EXT_PROBLEMS] as number[] | undefined) ?? [])]);
  if (op.requestBody || params.some((p) => p.in === 'query' || p.in === 'header')) statuses.add(400);
  // Too large; a media type the route does not take (docs/security.md §3).
  if (op.requestBody) for (const status of [413, 415]) statuses.add(status);
  if (!isPublic) statuses.add(401);
  if (!isPublic && op[EXT_ROLES]) statuses.add(403);
  if (params.some((p) => p.in === 'path')) statuses.add(404);
  if (params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key')) statuses.add(409);
  if (!op[EXT_UNTHROTTLED]) statuses.add(429);
  return [...statuses].sort();
}

const SUCCESS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No content',
};

/**
 * CSV and PDF answers are text and bytes, whatever schema the JSON answer of the same operation
 * has; a success without a description says its status.
 */
function fixSuccesses(op: Op): void {
  for (const [status, response] of Object.entries(op.responses ?? {})) {
    if (!status.startsWith('2')) continue;
    if (!(response as ResponseObject).description) (response as ResponseObject).description = SUCCESS[status] ?? 'Success';
    const content = (response as ResponseObject).content;
    if (!content) continue;
    for (const [media, body] of Object.entries(content)) {
      if (media.startsWith('text/csv')) body.schema = { type: 'string', description: 'CSV: a header row, then one row per item' };
      else if (media === 'application/pdf') body.schema = { type: 'string', format: 'binary' };
    }
  }
}

/** OpenAPI ignores header parameters named Accept, Content-Type or Authorization (a handler reading them with @Headers). */
const IGNORED_HEADERS = ['accept', 'content-type', 'authorization'];

export function completeDocument(doc: OpenAPIObject): OpenAPIObject {
  const used = new Set<number>();
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Op | undefined;
      if (!op) continue;
      op.parameters = (op.parameters as ParameterObject[] | undefined)?.filter(
        (p) => !(p.in === 'header' && IGNORED_HEADERS.includes(p.name.toLowerCase())),
      );
      const isPublic = op[EXT_PUBLIC] === true;
      const roles = op[EXT_ROLES] as string[] | undefined;
      if (roles?.length && !isPublic) {
        const who = `Roles: ${roles.map((r) => `\`${r}\``).join(', ')}.`;
        op.description = op.description ? `${op.description}\n\n${who}` : who;
      }
      fixSuccesses(op);
      const responses = (op.responses ??= {}) as Record<string, ResponseObject | ReferenceObject>;
      for (const status of problemStatuses(op, isPublic)) {
        if (responses[status]) continue;
        responses[status] = { $ref: `#/components/responses/${PROBLEM_RESPONSES[status].name}` };
        used.add(status);
      }
      op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
      op.security = isPublic ? [] : [{ bearer: [] }];
      delete op[EXT_PUBLIC];
      delete op[EXT_ROLES];
      delete op[EXT_PROBLEMS];
      delete op[EXT_UNTHROTTLED];
    }
  }
  const components = (doc.components ??= {});
  components.schemas = {
    ...components.schemas,
    FieldError: FIELD_ERROR,
    ProblemDetails: PROBLEM_DETAILS,
  } as typeof components.schemas;
  components.responses = Object.fromEntries(
    [...used].sort().map((status) => {
      const { name, description } = PROBLEM_RESPONSES[status];
      return [
        name,
        {
          description,
          content: { [PROBLEM_JSON]: { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
        },
      ];
    }),
  );
  components.securitySchemes = {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque',
      description: 'An API token (random, not a JWT) returned once when its user is created: `Authorization: Bearer <token>`',
    },
  };
  return doc;
}
