// Parses manifest text with yaml 2 into a document that knows the line of every key, and a plain value for the
// zod schemas. NIM 1.x writes `!workspace` and `!name` tags; they load as the map and string they decorate.
import type { Document, Node, Pair, Tags, YAMLMap } from 'yaml';
import type { KeyPath, Problem } from './problems.js';
import { keyText, toPlain } from './to-plain.js';
import { yamlModule } from './yaml-module.js';

const NIM_TAGS: Tags = [
  { tag: '!workspace', collection: 'map', resolve: (map: unknown) => map },
  { tag: '!name', resolve: (text: string) => text },
];

export interface YamlDoc {
  /** The document as plain data (maps → objects, lists → arrays); undefined when it did not parse. */
  plain: unknown;
  /** Syntax errors and structural problems (duplicate keys, bad aliases): the plain value is not to be trusted. */
  errors: Problem[];
  warnings: Problem[];
  /** The line of the deepest node that exists along `path` (1-based): a missing key points at its parent. */
  lineAt: (path: KeyPath) => number;
}

export function readYaml(text: string): YamlDoc {
  const { LineCounter, parseDocument } = yamlModule();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    customTags: NIM_TAGS,
    // Duplicate keys are found while converting, where both lines are known.
    uniqueKeys: false,
    prettyErrors: false,
  });
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line;
  const errors: Problem[] = doc.errors.map((e) => ({ line: lineOf(e.pos[0]), path: [], message: `YAML: ${e.message}` }));
  const warnings: Problem[] = doc.warnings.map((w) => ({ line: lineOf(w.pos[0]), path: [], message: `YAML: ${w.message}` }));
  const lineAt = makeLineAt(doc, lineOf);
  if (errors.length > 0) return { plain: undefined, errors, warnings, lineAt };
  const plain = toPlain(doc, lineOf, errors);
  return { plain, errors, warnings, lineAt };
}

function nodeLine(node: unknown, lineOf: (offset: number) => number, fallback: number): number {
  const range = (node as Node | null)?.range;
  return range ? lineOf(range[0]) : fallback;
}

function makeLineAt(doc: Document, lineOf: (offset: number) => number): (path: KeyPath) => number {
  const { isAlias, isMap, isScalar, isSeq } = yamlModule();
  // Map lookups by key text are cached: a 2,000-profile manifest asks for every profile's line.
  const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
  const indexOf = (map: YAMLMap): Map<string, Pair> => {
    let index = indexes.get(map);
    if (!index) {
      index = new Map();
      for (const pair of map.items) {
        const key = keyText(pair.key);
        if (key !== null && !index.has(key)) index.set(key, pair);
      }
      indexes.set(map, index);
    }
    return index;
  };
  return (path) => {
    let node: unknown = doc.contents;
    let line = nodeLine(node, lineOf, 1);
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node) && typeof seg === 'string') {
        const pair = indexOf(node).get(seg);
        if (!pair) break;
        line = nodeLine(pair.key, lineOf, line);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item: unknown = node.items[seg];
        if (item === undefined) break;
        line = nodeLine(item, lineOf, line);
        node = item;
      } else {
        break;
      }
      if (isScalar(node) && node.value === null) break;
    }
    return line;
  };
}
