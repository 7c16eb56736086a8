/** The checker itself: it must catch a missing, an extra and a mistyped field, so the conformance test can fail. */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadChecker, type ConformanceChecker } from './checker.ts';

const KINDS = fileURLToPath(new URL('./stripe-kinds.ts', import.meta.url));

const product = () =>
  ({
    id: 'prod_1',
    object: 'product',
    active: true,
    created: 1,
    default_price: null,
    description: null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: { plan: 'starter' },
    name: 'Starter',
    package_dimensions: null,
    shippable: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    updated: 1,
    url: null,
  }) as Record<string, unknown>;

describe('conformance checker', () => {
  let checker: ConformanceChecker;
  beforeAll(() => {
    checker = loadChecker(KINDS);
  });

  it('accepts a product as Stripe declares it, optional fields absent', () => {
    expect(checker.check(product())).toEqual([]);
  });

  it('names a missing, an extra and a mistyped field by their paths', () => {
    const bad = product();
    delete bad.shippable;
    bad.subscription = 'sub_1';
    bad.active = 'yes';
    bad.metadata = { plan: 7 };
    bad.type = 'subscription'; // not one of the enum's values
    expect(checker.check(bad)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '$.shippable', problem: 'missing' }),
        expect.objectContaining({ path: '$.subscription', problem: 'extra' }),
        expect.objectContaining({ path: '$.active', problem: 'mistyped' }),
        expect.objectContaining({ path: '$.metadata.plan', problem: 'mistyped' }),
        expect.objectContaining({ path: '$.type', problem: 'mistyped' }),
      ]),
    );
  });

  it('accepts an expandable field as an id or as the object, and checks the object when expanded', () => {
    expect(checker.check({ ...product(), default_price: 'price_1' })).toEqual([]);
    expect(checker.check({ ...product(), default_price: { id: 'price_1', object: 'price' } })).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '$.default_price.currency', problem: 'missing' })]),
    );
  });

  it('checks a list’s items and an event’s object by their own kind', () => {
    const list = { object: 'list', data: [{ ...product(), name: 1 }], has_more: false, url: '/v1/products' };
    expect(checker.check(list)).toEqual([expect.objectContaining({ path: '$.data[0].name', problem: 'mistyped' })]);
    const event = {
      id: 'evt_1',
      object: 'event',
      api_version: null,
      created: 1,
      livemode: false,
      pending_webhooks: 0,
      request: null,
      type: 'product.updated',
      data: { object: { ...product(), extra: 1 }, previous_attributes: { name: 'Old' } },
    };
    expect(checker.check(event)).toEqual([expect.objectContaining({ path: '$.data.object.extra', problem: 'extra' })]);
    expect(checker.check({ object: 'refund_of_the_future' })).toEqual([
      expect.objectContaining({ problem: 'unknown kind' }),
    ]);
  });
});
