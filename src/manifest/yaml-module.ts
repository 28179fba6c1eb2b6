// yaml 2 is loaded only when a manifest is parsed: the import alone costs as much as starting node, and a start
// that reads the compiled copy (compiled.ts) never needs it.
import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');
let loaded: YamlModule | undefined;

export function yamlModule(): YamlModule {
  loaded ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return loaded;
}
