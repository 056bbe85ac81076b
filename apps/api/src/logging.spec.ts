import { loggerParams, prettyLine } from './logging';

type Opts = {
  serializers: { req: (r: unknown) => Record<string, unknown>; res: (r: unknown) => Record<string, unknown> };
  customProps: (req: unknown) => Record<string, unknown>;
};

describe('API logs', () => {
  const json = loggerParams({ level: 'info', format: 'json' }).pinoHttp as unknown as Opts;

  it('logs requests without response headers or the token, with the caller’s user, role and reseller ids', () => {
    expect(json.serializers.res({ statusCode: 201, headers: { 'content-security-policy': 'x'.repeat(1000) } })).toEqual({
      statusCode: 201,
    });
    const req = json.serializers.req({
      id: 'r1',
      method: 'POST',
      url: '/api/v1/orders',
      remoteAddress: '127.0.0.1',
      headers: { authorization: 'Bearer dst_secret', 'user-agent': 'curl' },
    });
    expect(req).toEqual({
      id: 'r1',
      method: 'POST',
      url: '/api/v1/orders',
      remoteAddress: '127.0.0.1',
      userAgent: 'curl',
    });
    expect(JSON.stringify(req)).not.toContain('dst_secret');
    expect(json.customProps({ user: { id: 'u1', role: 'buyer', resellerId: 'res1' } })).toEqual({
      userId: 'u1',
      role: 'buyer',
      resellerId: 'res1',
    });
    expect(json.customProps({})).toEqual({});
  });

  it('writes JSON in production and one readable line per event in development', () => {
    expect(Array.isArray(loggerParams({ level: 'info', format: 'json' }).pinoHttp)).toBe(false);
    expect(Array.isArray(loggerParams({ level: 'info', format: 'pretty' }).pinoHttp)).toBe(true);
    const time = Date.parse('2026-11-26T07:05:01.234Z');
    expect(
      prettyLine(
        JSON.stringify({
          level: 30,
          time,
          pid: 1,
          hostname: 'h',
          req: { id: 'r1', method: 'GET', url: '/api/v1/orders' },
          res: { statusCode: 200 },
          responseTime: 12,
          userId: 'u1',
          role: 'buyer',
          resellerId: 'res1',
          msg: 'request completed',
        }),
      ),
    ).toBe('07:05:01.234 INFO  GET /api/v1/orders 200 12ms user=u1 role=buyer reseller=res1 req=r1');
    expect(
      prettyLine(
        JSON.stringify({
          level: 40,
          time,
          context: 'WebhookService',
          msg: 'webhook deliveries given up',
          failed: 2,
        }),
      ),
    ).toBe('07:05:01.234 WARN  [WebhookService] webhook deliveries given up failed=2');
    expect(prettyLine('not json')).toBe('not json');
  });
});
