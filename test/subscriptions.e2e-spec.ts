import { randomUUID } from 'crypto';
import { Dec } from '@disty/core';
import { ProvisionInput, SubscriptionService } from '@disty/subscription';
import { ADMIN_TOKEN, bearer, createTestApp, TestApp } from './support/app';

const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`.toUpperCase();

describe('Subscriptions: provisioning, billing schedule and reads', () => {
  let t: TestApp;
  let subs: SubscriptionService;
  beforeAll(async () => {
    t = await createTestApp();
    subs = t.get(SubscriptionService);
  });
  afterAll(() => t.close());

  const provision = (over: Partial<ProvisionInput> = {}) =>
    t.db.transaction((em) =>
      subs.provision(em, {
        resellerId: randomUUID(), orderLineId: randomUUID(), sku: `CLOUD-${uniq()}`, quantity: 10,
        unitPrice: new Dec('12.50'), currency: 'AUD', term: 'P1Y', billingFrequency: 'MONTHLY',
        startDate: '2026-01-15', endCustomer: { name: 'Acme Pty Ltd', reference: 'AC-1' }, ...over,
      }),
    );

  it('provisions a MONTHLY P1Y subscription with 12 charges summing to price × quantity × 12', async () => {
    const r = await provision();
    expect(r.firstCharge).toMatchObject({ periodStart: '2026-01-15', periodEnd: '2026-02-14' });
    expect(r.firstCharge.net.toFixed(2)).toBe('125.00');
    const res = await t.http().get(`/api/v1/subscriptions/${r.subscriptionId}`).set(bearer(ADMIN_TOKEN)).expect(200);
    expect(res.body).toMatchObject({
      id: r.subscriptionId, quantity: 10, status: 'ACTIVE', autoRenew: true, cancelAtTermEnd: false,
      termStart: '2026-01-15', termEnd: '2027-01-14', unitPrice: '12.50', currency: 'AUD', billingFrequency: 'MONTHLY',
    });
    expect(res.body.terms).toHaveLength(1);
    const charges = res.body.charges as Array<{ amount: string; billingDate: string; periodStart: string; creditLine: string }>;
    expect(charges).toHaveLength(12);
    expect(charges.reduce((s, c) => s.plus(c.amount), new Dec(0)).toFixed(2)).toBe('1500.00');
    expect(charges.every((c) => c.billingDate === c.periodStart && c.creditLine === 'CLOUD')).toBe(true);
  });
});
