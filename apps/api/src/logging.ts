import type { IncomingMessage, ServerResponse } from 'http';
import { randomUUID } from 'crypto';
import { Writable } from 'stream';
import type { Params } from 'nestjs-pino';
import type { Actor } from '#disty/core';

/**
 * The API's logger (nestjs-pino) settings (docs/operations.md, "Logs"): JSON lines in production
 * and tests, one human-readable line per event in development (LOG_FORMAT); request logs carry the
 * request id, method, URL, status, time and who called (user, role, reseller ids), never the
 * response headers nor the bearer token.
 */
export function loggerParams(opts: { level: string; format: 'json' | 'pretty' }): Params {
  const options: NonNullable<Exclude<Params['pinoHttp'], unknown[]>> = {
    level: opts.level,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    autoLogging: {
      ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/health/live' || req.url === '/health/ready',
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string; headers?: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
        userAgent: req.headers?.['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customProps: (req: IncomingMessage) => {
      const user = (req as IncomingMessage & { user?: Actor }).user;
      return user ? { userId: user.id, role: user.role, resellerId: user.resellerId } : {};
    },
  };
  return { pinoHttp: opts.format === 'pretty' ? [options, prettyStream(process.stdout)] : options };
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const COLOURS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const SHOWN_ELSEWHERE = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'context',
  'req',
  'res',
  'responseTime',
  'userId',
  'role',
  'resellerId',
]);

/** One pino JSON line as a readable line: time, level, context, message, request summary, other fields. */
export function prettyLine(line: string, colour = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = Number(o.level);
  const name = (LEVELS[level] ?? String(o.level)).padEnd(5);
  const time = new Date(Number(o.time) || Date.now()).toISOString().slice(11, 23);
  const parts = [time, colour ? `\u001b[${COLOURS[level] ?? '0'}m${name}\u001b[0m` : name];
  if (o.context) parts.push(`[${String(o.context)}]`);
  const req = o.req as { id?: string; method?: string; url?: string } | undefined;
  const res = o.res as { statusCode?: number } | undefined;
  if (req && res) {
    parts.push(`${req.method} ${req.url} ${res.statusCode} ${o.responseTime ?? '?'}ms`);
    if (o.userId) parts.push(`user=${String(o.userId)} role=${String(o.role)}${o.resellerId ? ` reseller=${String(o.resellerId)}` : ''}`);
    parts.push(`req=${req.id}`);
  } else if (o.msg !== undefined) parts.push(String(o.msg));
  const rest = Object.entries(o).filter(([k]) => !SHOWN_ELSEWHERE.has(k));
  if (rest.length) parts.push(rest.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' '));
  return parts.join(' ');
}

/** A synchronous destination writing `prettyLine` for each JSON line pino emits. */
function prettyStream(out: NodeJS.WriteStream): Writable {
  const colour = !!out.isTTY;
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) out.write(`${prettyLine(line, colour)}\n`);
      done();
    },
  });
}
