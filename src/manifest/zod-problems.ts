// Turns zod issues into manifest problems: the key path as written in the file, the line of that key, and a
// message in the manifest's words ("expected a list, got a map") rather than zod's.
import type { z } from 'zod';
import { describeValue, type KeyPath, type Problem } from './problems.js';

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
};

function messageOf(issue: z.core.$ZodIssue): string {
  const input: unknown = 'input' in issue ? issue.input : undefined;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return input === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${describeValue(input)}`;
    }
    case 'invalid_key':
      return `key ${describeValue(input)} is not valid: ${issue.issues.map((i) => i.message).join('; ')}`;
    case 'invalid_union':
      return `${issue.message}, got ${describeValue(input)}`;
    default:
      return input === undefined || issue.code === 'custom' ? issue.message : `${issue.message}, got ${describeValue(input)}`;
  }
}

/** One problem per issue (one per key for unknown keys), located under `prefix`. */
export function zodProblems(
  issues: readonly z.core.$ZodIssue[],
  prefix: KeyPath,
  lineAt: (path: KeyPath) => number,
): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path: KeyPath = [...prefix, ...issue.path.filter((s): s is string | number => typeof s !== 'symbol')];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ line: lineAt([...path, key]), path: [...path, key], message: 'unknown key' });
      continue;
    }
    out.push({ line: lineAt(path), path, message: messageOf(issue) });
  }
  return out;
}
