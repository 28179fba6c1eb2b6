// yaml 2 is loaded only when the exact path runs (a manifest the fast path leaves to it): the import alone
// costs as much as starting node, and a clean manifest never needs it.
import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');
let loaded: YamlModule | undefined;

export function yamlModule(): YamlModule {
  loaded ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return loaded;
}
