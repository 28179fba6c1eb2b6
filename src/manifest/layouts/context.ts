// What every layout reader shares: the parsed document, the problem lists, and small checks that turn a
// failure into a located problem instead of a throw.
import type { z } from 'zod';
import type { KeyPath, Problem } from '../problems.js';
import { parseSourceUri } from '../source-uri.js';
import type { YamlDoc } from '../yaml-doc.js';
import { zodProblems } from '../zod-problems.js';

export interface ReadContext {
  /** The file as the user named it, for messages and locations. */
  file: string;
  /** Folder relative sources resolve against. */
  dir: string;
  doc: YamlDoc;
  errors: Problem[];
  warnings: Problem[];
}

export function addError(ctx: ReadContext, at: KeyPath, message: string): void {
  ctx.errors.push({ line: ctx.doc.lineAt(at), path: at, message });
}

export function addWarning(ctx: ReadContext, at: KeyPath, message: string): void {
  ctx.warnings.push({ line: ctx.doc.lineAt(at), path: at, message });
}

/** Validates `value` (found at `at`) against `schema`; on failure records every issue and returns undefined. */
export function check<S extends z.ZodType>(ctx: ReadContext, schema: S, value: unknown, at: KeyPath): z.output<S> | undefined {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  ctx.errors.push(...zodProblems(result.error.issues, at, ctx.doc.lineAt));
  return undefined;
}

/** A source nimlet cannot fetch does not stop loading: other profiles may still serve. */
export function checkSource(ctx: ReadContext, uri: string, at: KeyPath): void {
  const parsed = parseSourceUri(uri, ctx.dir);
  if (!parsed.ok) addWarning(ctx, at, `cannot be fetched: ${parsed.error}`);
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
