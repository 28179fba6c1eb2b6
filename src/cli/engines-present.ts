// Which engines this image or host has (DESIGN §8), learnt before selection and handed to it as data.
// NIMLET_ENGINES (the Dockerfile sets it from its engine base) is trusted as declared: no I/O, nothing to slow a
// start. Without it nimlet looks, as a person would: `vllm` and `trtllm-serve` on PATH, SGLang importable by python3,
// and a NIMLET_*_CMD counts (it is the command that starts that engine). One python3 call answers SGLang and the
// installed versions (package metadata: cheap, unlike `vllm --version`, which imports torch).
import type { Settings } from '../config/env.js';
import type { Env } from '../config/read.js';
import { resolveCommand } from '../engine/resolve-command.js';
import { runCommand } from '../gpu/run-command.js';
import { ENGINES, type Engine } from '../manifest/types.js';
import type { EnginesPresent } from '../select/types.js';

const ON_PATH: Partial<Record<Engine, string>> = { vllm: 'vllm', tensorrt_llm: 'trtllm-serve' };

// Prints {"versions": {...}, "sglang": bool}; find_spec locates sglang without importing it (torch and all).
const PYTHON_PROBE = [
  'import importlib.metadata as m, importlib.util as u, json',
  'def v(p):',
  '    try: return m.version(p)',
  '    except Exception: return None',
  'print(json.dumps({"versions": {e: v(e) for e in ("vllm", "tensorrt_llm", "sglang")}, "sglang": u.find_spec("sglang") is not None}))',
].join('\n');

interface PythonAnswer {
  versions: Partial<Record<Engine, string | null>>;
  sglang: boolean;
}

async function onPath(name: string, env: Env, cwd: string): Promise<boolean> {
  return resolveCommand(name, env.PATH, cwd, '').then(() => true, () => false);
}

async function askPython(env: Env, cwd: string, timeoutMs: number): Promise<PythonAnswer | null> {
  if (!(await onPath('python3', env, cwd))) return null;
  const r = await runCommand('python3', ['-c', PYTHON_PROBE], { env, timeoutMs });
  if (r.kind !== 'exited' || r.code !== 0) return null;
  try {
    return JSON.parse(r.stdout) as PythonAnswer;
  } catch {
    return null;
  }
}

export async function findEngines(settings: Settings, env: Env, cwd: string, timeoutMs = 10_000): Promise<EnginesPresent> {
  if (settings.engines !== null) {
    const versions: EnginesPresent['versions'] = {};
    for (const d of settings.engines) if (d.version !== null) versions[d.engine] = d.version;
    return { found: settings.engines.map((d) => d.engine), versions, source: 'NIMLET_ENGINES' };
  }
  const [python, ...onPathFound] = await Promise.all([
    askPython(env, cwd, timeoutMs),
    ...ENGINES.map((e) => (ON_PATH[e] === undefined ? Promise.resolve(false) : onPath(ON_PATH[e], env, cwd))),
  ]);
  const found = ENGINES.filter((e, i) => settings.engineCommands[e] !== null || onPathFound[i] === true || (e === 'sglang' && python?.sglang === true));
  const versions: EnginesPresent['versions'] = {};
  for (const e of found) {
    const v = python?.versions[e];
    if (typeof v === 'string') versions[e] = v;
  }
  return { found, versions, source: 'detected' };
}

/** One line for SYSTEM INFO and doctor: what was found, how, and what a host with none means. */
export function describeEngines(engines: EnginesPresent): string {
  if (engines.found.length === 0) {
    return 'none found (no vllm or trtllm-serve on PATH, no sglang for python3, NIMLET_ENGINES unset): profiles are listed as if vllm, tensorrt_llm and sglang were all there';
  }
  const list = engines.found.map((e) => (engines.versions[e] ? `${e} ${engines.versions[e]}` : e)).join(', ');
  return `${list} (${engines.source === 'NIMLET_ENGINES' ? 'declared by NIMLET_ENGINES' : 'detected'})`;
}
