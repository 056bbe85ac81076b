import type { OpenAPIObject } from '@nestjs/swagger';
import { completeDocument } from './complete-document';
import { EXT_PROBLEMS, EXT_PUBLIC, EXT_ROLES, EXT_UNTHROTTLED } from './decorators';

const op = (extra: Record<string, unknown> = {}) => ({
  operationId: 'x',
  responses: { '200': { description: '' } },
  ...extra,
});

function complete(paths: OpenAPIObject['paths']): OpenAPIObject {
  return completeDocument({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths,
    components: { schemas: {} },
  });
}

describe('completeDocument: the problem responses and security each operation gets from its shape (docs/api-conventions.md §10)', () => {
  const statuses = (doc: OpenAPIObject, path: string, method: 'get' | 'post') => Object.keys(doc.paths[path][method]!.responses);

  it('a secured GET with roles and a path id: 401, 403, 404, 429, 500, and the bearer scheme', () => {
    const doc = complete({
      '/things/{id}': {
        get: op({
          parameters: [{ name: 'id', in: 'path', required: true }],
          [EXT_ROLES]: ['admin', 'finance'],
        }),
      },
    });
    const get = doc.paths['/things/{id}'].get!;
    expect(statuses(doc, '/things/{id}', 'get')).toEqual(['200', '401', '403', '404', '429', '500']);
    expect(get.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
    expect(get.security).toEqual([{ bearer: [] }]);
    expect(get.description).toBe('Roles: `admin`, `finance`.');
    expect(get).not.toHaveProperty(EXT_ROLES);
    expect(doc.components!.securitySchemes!.bearer).toMatchObject({
      scheme: 'bearer',
      bearerFormat: 'opaque',
    });
  });

  it('a POST with a body and an Idempotency-Key: 400, 409, 413, 415, and what @ApiProblems adds', () => {
    const doc = complete({
      '/orders': {
        post: op({
          requestBody: { content: {} },
          parameters: [{ name: 'Idempotency-Key', in: 'header' }],
          [EXT_PROBLEMS]: [422],
        }),
      },
    });
    expect(statuses(doc, '/orders', 'post')).toEqual(['200', '400', '401', '409', '413', '415', '422', '429', '500']);
    expect(doc.components!.responses!.UnprocessableContent).toEqual({
      description: expect.any(String),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
    });
    expect(doc.components!.schemas!.ProblemDetails).toMatchObject({
      required: ['type', 'title', 'status', 'detail'],
      additionalProperties: true,
    });
  });

  it('a public, unthrottled route: security [] and neither 401 nor 429', () => {
    const doc = complete({ '/health': { get: op({ [EXT_PUBLIC]: true, [EXT_UNTHROTTLED]: true }) } });
    expect(doc.paths['/health'].get!.security).toEqual([]);
    expect(statuses(doc, '/health', 'get')).toEqual(['200', '500']);
  });

  it('drops Accept header parameters and types CSV and PDF answers as text and bytes', () => {
    const json = { schema: { $ref: '#/components/schemas/Report' } };
    const doc = complete({
      '/report': {
        get: op({
          parameters: [{ name: 'accept', in: 'header', required: true }],
          responses: {
            '200': {
              description: '',
              content: { 'application/json': json, 'text/csv': json, 'application/pdf': json },
            },
          },
        }),
      },
    });
    const get = doc.paths['/report'].get!;
    expect(get.parameters).toEqual([]);
    expect(statuses(doc, '/report', 'get')).not.toContain('400');
    expect(get.responses['200']).toMatchObject({
      description: 'OK',
      content: {
        'application/json': json,
        'text/csv': { schema: { type: 'string' } },
        'application/pdf': { schema: { type: 'string', format: 'binary' } },
      },
    });
  });
});
