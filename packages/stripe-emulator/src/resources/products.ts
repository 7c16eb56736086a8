/** Products (docs.stripe.com/api/products). */
import type Stripe from 'stripe';

import { newId } from '../ids.ts';
import { allowOnly, bool, mergeMetadata, requiredStr, str } from '../params.ts';
import type { Route } from '../router.ts';
import type { Obj } from '../store.ts';

const FIELDS = [
  'name',
  'id',
  'active',
  'description',
  'metadata',
  'unit_label',
  'statement_descriptor',
  'tax_code',
  'url',
  'images',
  'marketing_features',
];

export const productRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/v1/products',
    api: (req, emu) => {
      allowOnly(req.params, FIELDS);
      const p = req.params;
      const now = emu.realNow();
      const product: Partial<Stripe.Product> = {
        id: str(p, 'id') ?? newId('prod', 14),
        object: 'product',
        active: bool(p.active, 'active') ?? true,
        created: now,
        default_price: null,
        description: str(p, 'description') ?? null,
        images: [],
        livemode: false,
        marketing_features: [],
        metadata: mergeMetadata({}, p.metadata),
        name: requiredStr(p, 'name'),
        package_dimensions: null,
        shippable: null,
        statement_descriptor: null,
        tax_code: null,
        tax_details: null,
        type: 'service',
        unit_label: str(p, 'unit_label') ?? null,
        updated: now,
        url: null,
      };
      const stored = emu.store.put(product as Obj);
      emu.emit('product.created', stored);
      return stored;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/products/:id',
    api: (req, emu) => {
      return emu.store.require('product', req.path_params.id as string);
    },
  },
  {
    method: 'POST',
    pattern: '/v1/products/:id',
    api: (req, emu) => {
      allowOnly(req.params, FIELDS.filter((f) => f !== 'id').concat('default_price'));
      const product = emu.store.require('product', req.path_params.id as string);
      const p = req.params;
      const previous: Obj = {};
      const set = (k: string, v: unknown) => {
        if (v === undefined) return;
        previous[k] = product[k];
        product[k] = v;
      };
      set('name', str(p, 'name'));
      set('description', p.description === '' ? null : str(p, 'description'));
      set('active', bool(p.active, 'active'));
      set('unit_label', str(p, 'unit_label'));
      set('default_price', str(p, 'default_price'));
      if (p.metadata !== undefined) set('metadata', mergeMetadata(product.metadata, p.metadata));
      product.updated = emu.realNow();
      emu.store.changed();
      emu.emit('product.updated', product, previous);
      return product;
    },
  },
  {
    method: 'GET',
    pattern: '/v1/products',
    api: (req, emu) =>
      emu.store.all('product').filter((p) => req.params.active === undefined || String(p.active) === req.params.active),
  },
];
