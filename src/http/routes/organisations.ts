/**
 * POST organisations {name} → 201 {id, name, owner_id}: the signed-in user creates an organisation they own.
 * A repeat with the same name answers that organisation again, with 200 (nothing created).
 */
import { z } from 'zod';
import { ORGANISATION_NAME_MAX, createOrganisation } from '../../usecases/create-organisation.ts';
import { jsonResponse } from '../json.ts';
import type { Route } from '../route.ts';
import { DISPLAY_TEXT_MESSAGE, isDisplayText } from '../text-rules.ts';
import { parseInput } from '../validate.ts';

const Body = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(ORGANISATION_NAME_MAX, `must be at most ${ORGANISATION_NAME_MAX} characters`)
    .refine(isDisplayText, DISPLAY_TEXT_MESSAGE),
});

export const route: Route = {
  name: 'organisations',
  method: 'POST',
  auth: 'user',
  async handle({ json, caller }, ctx) {
    const { name } = parseInput(Body, json);
    if (caller.kind !== 'user') throw new Error('organisations: route requires a user caller');
    const { organisation: org, created } = await createOrganisation(ctx, { ownerId: caller.userId, name });
    return jsonResponse({ id: org.id, name: org.name, owner_id: org.ownerId }, created ? 201 : 200);
  },
};
