// The fast path for large, clean manifests: js-yaml builds plain data about ten times faster than yaml 2's
// document model, and profile lines come from a scan of the text. It only answers when it is sure to agree with
// the exact path (yaml-doc.ts): any YAML it rejects, a number where NIM means text, an unusual layout of the
// profile list, and the caller also falls back on any problem, so every message still has yaml 2's lines.
import { CORE_SCHEMA, Type, load } from 'js-yaml';
import type { KeyPath } from './problems.js';
import { TEXT_CHILDREN, TEXT_SELF } from './to-plain.js';
import type { YamlDoc } from './yaml-doc.js';

const NIM_SCHEMA = CORE_SCHEMA.extend([
  new Type('!workspace', { kind: 'mapping', construct: (data: unknown) => data ?? {} }),
  new Type('!name', { kind: 'scalar', construct: (data: unknown) => data ?? '' }),
]);

/** True when a value NIM means as text was read as a number or boolean: only yaml 2 keeps its source text. */
function hasNonText(value: unknown, asText: boolean, childrenAsText: boolean): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.some((v) => hasNonText(v, childrenAsText, false));
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (hasNonText(v, childrenAsText || TEXT_SELF.has(k), TEXT_CHILDREN.has(k))) return true;
    }
    return false;
  }
  return asText && typeof value !== 'string';
}

function lineStarts(text: string): (index: number) => number {
  let line = 1;
  let at = 0;
  // Callers ask in increasing order: count newlines once.
  return (index) => {
    for (let i = text.indexOf('\n', at); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
      line++;
      at = i + 1;
    }
    return line;
  };
}

/** NIM 1.x: the line of each top-level 64-hex key. */
function scanIdLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const lineOf = lineStarts(text);
  for (const m of text.matchAll(/^(['"]?)([0-9A-Fa-f]{64})\1[ \t]*:/gm)) lines.set(m[2]!, lineOf(m.index));
  return lines;
}

/** Schema 2: the line of each `- ` item of the top-level `profiles:` list; null when the layout is unusual. */
function scanProfileLines(text: string): number[] | null {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^profiles[ \t]*:[ \t]*(#.*)?$/.test(l));
  if (start < 0) return null;
  const items: number[] = [];
  let indent: number | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^[^\s#-]/.test(l)) break;
    const m = /^( *)-(\s|$)/.exec(l);
    if (!m) continue;
    if (indent === null) indent = m[1]!.length;
    if (m[1]!.length !== indent) continue;
    if (l.trim() === '-') return null;
    items.push(i + 1);
  }
  return items;
}

/**
 * Anchors and aliases (`&a`, `*a`: a self-reference loops, a "billion laughs" explodes) and complex keys (`? [a]`)
 * are left to yaml 2, which limits and locates them. Loose on purpose: a `*` or `&` that only looks like one
 * costs a slower read, never a wrong one.
 */
const UNUSUAL_YAML = /(^|[\s[{,:-])[&*][^\s,[\]{}]|^\s*\?(\s|$)/m;

/** A YamlDoc from the fast path, or null: then the caller reads `text` with yaml 2. */
export function readYamlFast(text: string): YamlDoc | null {
  if (UNUSUAL_YAML.test(text)) return null;
  let plain: unknown;
  try {
    plain = load(text, { schema: NIM_SCHEMA });
  } catch {
    return null;
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain) || hasNonText(plain, false, false)) return null;
  const root = plain as Record<string, unknown>;
  let lineAt: (path: KeyPath) => number;
  if ('schema_version' in root) {
    const items = scanProfileLines(text);
    if (items === null || !Array.isArray(root.profiles) || items.length !== root.profiles.length) return null;
    lineAt = (path) => (path.length === 2 && path[0] === 'profiles' && typeof path[1] === 'number' ? (items[path[1]] ?? 0) : 0);
  } else if (!('profiles' in root) && !('manifest' in root) && !('model_profile' in root)) {
    const ids = scanIdLines(text);
    if (ids.size !== Object.keys(root).length) return null;
    lineAt = (path) => (path.length === 1 && typeof path[0] === 'string' ? (ids.get(path[0]) ?? 0) : 0);
  } else {
    return null;
  }
  return { plain, errors: [], warnings: [], lineAt };
}
