// Turns the yaml AST into plain data in one pass, and finds what the zod schemas cannot see: duplicate keys
// (with both lines), keys that are not text, aliases that point at themselves.
// Values NIM means as text keep the text as written: `tp: 8` is the tag "8", `min_driver: 550.90` stays
// "550.90" (a float would drop the zero), and an all-digit profile id is never turned into a lossy number.
import type { Document, Node } from 'yaml';
import type { KeyPath, Problem } from './problems.js';
import { yamlModule } from './yaml-module.js';

/** Keys whose scalar children are text as written. */
export const TEXT_CHILDREN = new Set(['tags', 'env', 'args']);
/** Keys whose own scalar value is text as written. */
export const TEXT_SELF = new Set(['id', 'schema_version', 'min_driver', 'min_compute_capability']);
const MAX_ALIASES = 1000;

/** A map key as text as written; null when the key is not a scalar. */
export function keyText(key: unknown): string | null {
  if (!yamlModule().isScalar(key)) return null;
  if (key.value === null) return '';
  return typeof key.value === 'string' ? key.value : (key.source ?? String(key.value));
}

function scalarValue(node: Node, asText: boolean): unknown {
  if (!yamlModule().isScalar(node)) return undefined;
  const v = node.value;
  if (!asText || v === null || typeof v === 'string') return v;
  return node.source ?? String(v);
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  // `__proto__` as a manifest key must stay data, never a prototype.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

export function toPlain(doc: Document, lineOf: (offset: number) => number, problems: Problem[]): unknown {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yamlModule();
  let aliases = 0;
  const lineOfNode = (n: unknown): number => {
    const r = (n as Node | null)?.range;
    return r ? lineOf(r[0]) : 1;
  };
  const open = new Set<unknown>();
  const convert = (node: unknown, path: KeyPath, asText: boolean, childrenAsText: boolean): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      if (++aliases > MAX_ALIASES) {
        if (aliases === MAX_ALIASES + 1) problems.push({ line: lineOfNode(node), path, message: `more than ${MAX_ALIASES} aliases` });
        return null;
      }
      const target = node.resolve(doc);
      if (target === undefined || open.has(target)) {
        problems.push({ line: lineOfNode(node), path, message: `alias *${node.source} does not resolve or refers to itself` });
        return null;
      }
      return convert(target, path, asText, childrenAsText);
    }
    if (isScalar(node)) return scalarValue(node, asText);
    if (!isMap(node) && !isSeq(node)) return null;
    open.add(node);
    try {
      if (isSeq(node)) return node.items.map((item, i) => convert(item, [...path, i], childrenAsText, false));
      const obj: Record<string, unknown> = {};
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key);
        const line = lineOfNode(pair.key);
        if (key === null) {
          problems.push({ line, path, message: 'a key must be plain text, not a list or map' });
          continue;
        }
        const first = seen.get(key);
        if (first !== undefined) {
          problems.push({ line, path: [...path, key], message: `duplicate key ${JSON.stringify(key)} (first at line ${first})` });
          continue;
        }
        seen.set(key, line);
        const value = convert(pair.value, [...path, key], childrenAsText || TEXT_SELF.has(key), TEXT_CHILDREN.has(key));
        setKey(obj, key, value);
      }
      return obj;
    } finally {
      open.delete(node);
    }
  };
  return convert(doc.contents, [], false, false);
}
