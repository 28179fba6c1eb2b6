// The `tags` map every layout shares: text values (numbers and booleans were kept as written), plus the checks
// that make a profile meaningful: a known engine, positive GPU counts. Checked in one pass so that a bad value
// and an unknown engine are both reported (a zod record stops at its first bad value).
import { z } from 'zod';
import { ENGINES } from './types.js';

const COUNT_TAGS = new Set(['tp', 'pp', 'number_of_gpus']);
const POSITIVE_INT = /^[1-9][0-9]{0,5}$/;

function tagProblem(key: string, value: unknown): string | null {
  if (typeof value !== 'string') return value === null ? 'a tag needs a value' : 'a tag value must be text, not a list or map';
  if (key === 'llm_engine' && !(ENGINES as readonly string[]).includes(value)) {
    return `unknown llm_engine ${JSON.stringify(value)}: expected one of ${ENGINES.join(', ')}`;
  }
  if (COUNT_TAGS.has(key) && !POSITIVE_INT.test(value.trim())) return `${key} must be a positive whole number, got ${JSON.stringify(value)}`;
  return null;
}

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
