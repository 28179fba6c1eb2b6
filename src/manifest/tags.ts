// The `tags` map every layout shares: text values (numbers and booleans were kept as written), plus the checks
// that make a profile meaningful (rules.ts: a known engine, positive GPU counts). Checked in one pass so that a
// bad value and an unknown engine are both reported (a zod record stops at its first bad value).
import { z } from 'zod';
import { tagProblem } from './rules.js';

export const tagsSchema = z
  .record(z.string(), z.unknown())
  .superRefine((tags, ctx) => {
    for (const [key, value] of Object.entries(tags)) {
      const message = tagProblem(key, value);
      if (message !== null) ctx.addIssue({ code: 'custom', path: [key], message });
    }
  })
  .transform((tags) => tags as Record<string, string>);

export type Tags = z.output<typeof tagsSchema>;
