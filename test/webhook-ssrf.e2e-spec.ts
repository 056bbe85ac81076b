import * as http from 'http';
import type { AddressInfo } from 'net';
import { Test } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { LookupAddress } from 'dns';
import { OwnDatabase, useOwnDatabase } from './support/own-database';

/**
 * Webhook SSRF (docs/security.md, "Webhook SSRF"): with private URLs not allowed (the default), a
 * webhook whose host NAME passes registration but resolves to loopback at delivery time is refused
 * before any connection, whatever address the name resolves to among several; with
 * WEBHOOK_ALLOW_PRIVATE_URLS=true the same name is delivered, to exactly the resolved address (the
 * connection is pinned to what was checked). Its own database: deliveries are claimed globally.
 * The name resolution is replaced through the WEBHOOK_RESOLVER provider.
 */
describe('Webhook delivery checks every resolved address (SSRF)', () => {
  let db: OwnDatabase;
  let receiver: http.Server;
  let port: number;
  const received: Array<{ host: string | undefined; body: string }> = [];
  /** The test's DNS: names it knows resolve where it says, others fail. */
  const zone: Record<string, LookupAddress[]> = {};
  const resolver = async (host: string): Promise<LookupAddress[]> => {
    if (zone[host]) return zone[host];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
  const apps: NestExpressApplication[] = [];

  /** The production app with the test's resolver and WEBHOOK_ALLOW_PRIVATE_URLS as given. */
  async function appWith(allowPrivate: boolean) {
    const { AppModule } = await import('../apps/api/src/app.module.js');
    const { configureApp } = await import('../apps/api/src/setup.js');
    const { WEBHOOK_RESOLVER, WEBHOOK_SETTINGS } = await import('#disty/webhooks');
    const { ConfigService } = await import('@nestjs/config');
    const { webhookSettings } = await import('../libs/webhooks/src/webhooks.config.js');
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(WEBHOOK_RESOLVER)
      .useValue(resolver)
      .overrideProvider(WEBHOOK_SETTINGS)
      .useFactory({
        inject: [ConfigService],
        factory: (c: InstanceType<typeof ConfigService>) => ({
          ...webhookSettings(c),
          allowPrivateUrls: allowPrivate,
        }),
      })
      .compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
    configureApp(app);
    await app.init();
    apps.push(app);
    return { app, http: () => request(app.getHttpServer()), db: app.get(DataSource) };
  }

  beforeAll(async () => {
    db = await useOwnDatabase('ssrf');
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ host: req.headers.host, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    receiver?.close();
    await db?.drop();
  });

  const ADMIN = 'Bearer test-bootstrap-admin-token';

  async function newReseller(t: Awaited<ReturnType<typeof appWith>>) {
    const { createReseller } = await import('./factories/commerce.js');
    return createReseller(t as unknown as Parameters<typeof createReseller>[0]);
  }

  async function webhookAndEvent(t: Awaited<ReturnType<typeof appWith>>, url: string) {
    const reseller = { body: await newReseller(t) };
    const hook = await t
      .http()
      .post('/api/v1/webhooks')
      .set('Authorization', ADMIN)
      .send({ resellerId: reseller.body.id, url, events: ['invoice.issued'] });
    expect(hook.status).toBe(201);
    // An event through the outbox's producer API, as invoicing queues it.
    const webhooks = t.app.get((await import('#disty/webhooks')).WebhookService);
    expect(await t.db.transaction((em) => webhooks.enqueue(em, reseller.body.id, 'invoice.issued', { probe: true }))).toBe(1);
    return hook.body.id as string;
  }

  it('refuses a host name that resolves to loopback at delivery time, and connects to nothing', async () => {
    zone['hooks.partner.example'] = [{ address: '127.0.0.1', family: 4 }];
    const t = await appWith(false);
    const id = await webhookAndEvent(t, `http://hooks.partner.example:${port}/hook`);
    const run = await t.http().post('/api/v1/jobs/webhooks/deliver').set('Authorization', ADMIN).expect(200);
    expect(run.body).toMatchObject({ claimed: 1, delivered: 0 });
    const list = await t.http().get(`/api/v1/webhooks/${id}/deliveries`).set('Authorization', ADMIN).expect(200);
    expect(list.body.items[0]).toMatchObject({ status: 'PENDING', attempts: 1, lastResponseStatus: null });
    expect(list.body.items[0].lastError).toMatch(/address not allowed: hooks\.partner\.example resolves to 127\.0\.0\.1/);
    expect(received).toHaveLength(0);
  });

  it('refuses when any one of the addresses is private, in IPv4-mapped IPv6 form too', async () => {
    const t = await appWith(false);
    for (const [name, addresses] of [
      [
        'multi.partner.example',
        [
          { address: '93.184.215.14', family: 4 },
          { address: '10.0.0.7', family: 4 },
        ],
      ],
      ['mapped.partner.example', [{ address: '::ffff:127.0.0.1', family: 6 }]],
      ['metadata.partner.example', [{ address: '169.254.169.254', family: 4 }]],
    ] as const) {
      zone[name] = [...addresses];
      const id = await webhookAndEvent(t, `http://${name}:${port}/hook`);
      await t.http().post('/api/v1/jobs/webhooks/deliver').set('Authorization', ADMIN).expect(200);
      const list = await t.http().get(`/api/v1/webhooks/${id}/deliveries`).set('Authorization', ADMIN).expect(200);
      expect(list.body.items[0].lastError).toMatch(new RegExp(`address not allowed: ${name.replace(/\./g, '\\.')} resolves to`));
    }
    expect(received).toHaveLength(0);
    // Literal private hosts are refused at registration already.
    const r = { body: await newReseller(t) };
    for (const url of ['http://localhost:1/x', 'http://[::ffff:7f00:1]/', 'http://169.254.169.254/latest/meta-data']) {
      const res = await t
        .http()
        .post('/api/v1/webhooks')
        .set('Authorization', ADMIN)
        .send({ resellerId: r.body.id, url, events: ['invoice.issued'] });
      expect([url, res.status, res.body.type]).toEqual([url, 422, 'https://disty.dev/problems/webhook-url-not-allowed']);
    }
  });

  it('with WEBHOOK_ALLOW_PRIVATE_URLS=true delivers to the name, over a connection to the resolved address', async () => {
    zone['dev.partner.example'] = [{ address: '127.0.0.1', family: 4 }];
    const t = await appWith(true);
    const id = await webhookAndEvent(t, `http://dev.partner.example:${port}/hook`);
    received.length = 0;
    await t.http().post('/api/v1/jobs/webhooks/deliver').set('Authorization', ADMIN).expect(200);
    const list = await t.http().get(`/api/v1/webhooks/${id}/deliveries`).set('Authorization', ADMIN).expect(200);
    expect(list.body.items[0]).toMatchObject({ status: 'DELIVERED', lastResponseStatus: 204 });
    // Reached through the pinned address, with the webhook's own host name in the Host header.
    expect(received.map((r) => r.host)).toContain(`dev.partner.example:${port}`);
  });
});
