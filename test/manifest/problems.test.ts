// Every problem at once, each with file, line and key path: a table of broken manifests and the exact details.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../src/manifest/load.js';
import { manifestError } from './helpers.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('malformed manifests', () => {
  it.each([
    ['empty file', '', ['m.yaml:1: (root): the manifest is empty: it lists no profiles']],
    ['only a comment', '# nothing\n', ['m.yaml:1: (root): the manifest is empty: it lists no profiles']],
    ['a scalar', 'hello\n', ['m.yaml:1: (root): expected a map of profiles (NIM 1.x) or `schema_version:` with `profiles:` (schema 2)']],
    ['bad YAML', `${A}:\n  tags: [a\n`, ['m.yaml:3: (root): YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']],
    [
      'duplicate 1.x ids name both lines',
      `${A}:\n  tags: {llm_engine: vllm}\n${A}:\n  tags: {llm_engine: sglang}\n`,
      [`m.yaml:3: ${A}: duplicate key "${A}" (first at line 1)`],
    ],
    [
      'a 1.x key that is no id, and its missing tags',
      'llama-8b:\n  tag:\n    tp: 1\n',
      ['m.yaml:1: llama-8b: "llama-8b" is not a 64-hex profile id (a NIM 1.x manifest maps each profile id to its tags and workspace)', 'm.yaml:1: llama-8b.tags: missing (expected a map)'],
    ],
    [
      'unknown engine, bad tp/pp/number_of_gpus, a list as a tag value',
      `${A}:\n  tags:\n    llm_engine: tgi\n    tp: 0\n    pp: two\n    number_of_gpus: -1\n    gpu: [H100]\n`,
      [
        `m.yaml:3: ${A}.tags.llm_engine: unknown llm_engine "tgi": expected one of tensorrt_llm, vllm, sglang`,
        `m.yaml:4: ${A}.tags.tp: tp must be a positive whole number, got "0"`,
        `m.yaml:5: ${A}.tags.pp: pp must be a positive whole number, got "two"`,
        `m.yaml:6: ${A}.tags.number_of_gpus: number_of_gpus must be a positive whole number, got "-1"`,
        `m.yaml:7: ${A}.tags.gpu: a tag value must be text, not a list or map`,
      ],
    ],
    [
      'a 1.x workspace with a path escaping it and a files map',
      `${A}:\n  tags: {llm_engine: vllm}\n  workspace: !workspace\n    components:\n    - dst: ../up\n      src:\n        repo_id: o/m:1\n        files: [!name 'a']\n${B}:\n  tags: {llm_engine: vllm}\n  workspace:\n    components:\n    - src: {repo_id: o/m:1, files: {a: b}}\n`,
      [
        `m.yaml:8: ${A}.workspace.components[0].src.files[0]: "a" under dst "../up" is not a relative path inside the workspace`,
        `m.yaml:13: ${B}.workspace.components[0].src.files: expected a list, got a map`,
      ],
    ],
    [
      'schema 2: wrong version, bad files, requirements and engine',
      [
        'schema_version: 2.1',
        'profiles:',
        '  - id: c84b2a0...',
        '    tags: {llm_engine: vllm, tp: "1"}',
        '    workspace:',
        '      files:',
        '        /etc/passwd: {uri: "https://x.example/a"}',
        '        a: {uri: "hf://o/m:main?file=a", sha256: xyz, size: -3, extract: "yes"}',
        '        b: {}',
        '    requirements: {min_gpu_memory_mb: 10, min_driver: new}',
        '    engine: {args: "--x", env: {"1BAD": x}}',
        '',
      ].join('\n'),
      [
        'm.yaml:1: schema_version: unsupported schema_version "2.1": nimlet reads 2.0.0',
        'm.yaml:3: profiles[0].id: id looks truncated: a profile id is 64 hex characters (leave it out and nimlet computes one), got "c84b2a0..."',
        'm.yaml:8: profiles[0].workspace.files.a.sha256: sha256 must be 64 hex characters, got "xyz"',
        'm.yaml:8: profiles[0].workspace.files.a.size: size must not be negative, got -3',
        'm.yaml:8: profiles[0].workspace.files.a.extract: expected true or false, got "yes"',
        'm.yaml:9: profiles[0].workspace.files.b.uri: missing (expected text)',
        'm.yaml:10: profiles[0].requirements.min_driver: min_driver must be a driver version such as 550.54.15, got "new"',
        'm.yaml:10: profiles[0].requirements.min_gpu_memory_mb: unknown key',
        'm.yaml:11: profiles[0].engine.args: expected a list, got "--x"',
        'm.yaml:11: profiles[0].engine.env.1BAD: key "1BAD" is not valid: an environment variable name',
      ],
    ],
    [
      'schema 2: an absolute file path, duplicate ids, no schema_version',
      `profiles:\n  - id: ${A}\n    tags: {llm_engine: vllm}\n    workspace: {files: {/abs: {uri: x}}}\n  - id: ${A.toUpperCase()}\n    tags: {llm_engine: vllm}\n`,
      [
        'm.yaml:1: (root): schema_version is missing: a schema-2 manifest starts with schema_version: 2.0.0',
        'm.yaml:4: profiles[0].workspace.files["/abs"]: "/abs" is not a relative path inside the workspace (no leading /, no .., each name at most 255 bytes)',
        `m.yaml:5: profiles[1].id: duplicate profile id ${A} (first at line 2)`,
      ],
    ],
    [
      'schema 2: two workspace paths that are one file',
      `schema_version: 2.0.0\nprofiles:\n  - tags: {llm_engine: vllm}\n    workspace:\n      files:\n        config.json: {uri: a}\n        ./config.json: {uri: b}\n        w//m: {uri: c}\n        w/m: {uri: d}\n`,
      [
        'm.yaml:7: profiles[0].workspace.files["./config.json"]: two files map to "config.json"',
        'm.yaml:9: profiles[0].workspace.files["w/m"]: two files map to "w/m"',
      ],
    ],
    [
      'NIM 1.x: two ids that differ only in case',
      `${A}:\n  tags: {llm_engine: vllm}\n${A.toUpperCase()}:\n  tags: {llm_engine: vllm, precision: fp8}\n`,
      [`m.yaml:3: ${A.toUpperCase()}: duplicate profile id ${A} (first at line 1)`],
    ],
    ['schema 2: no profiles', 'schema_version: 2.0.0\nprofiles: []\n', ['m.yaml:2: profiles: no profiles listed']],
    ['schema 2: profiles not a list', 'schema_version: 2.0.0\nprofiles: {a: 1}\n', ['m.yaml:2: profiles: `profiles` must be a list of profiles']],
    [
      'a bare list of profiles',
      '- id: 1d7b60...\n  tags: {llm_engine: vllm}\n',
      [
        'm.yaml:1: (root): a bare list of profiles: a schema-2 manifest needs `schema_version: 2.0.0` and the list under `profiles:`',
        'm.yaml:1: [0].id: id looks truncated: a profile id is 64 hex characters (leave it out and nimlet computes one), got "1d7b60..."',
      ],
    ],
    [
      'legacy: bad entries and duplicate ids',
      'model_profile: X\nmanifest:\n  - id: Mol\n    tags: {backend: pytorch}\n  - id: Mol\n    tags: {backend: onnx}\n  - a: 1\n    b: 2\n  - id: ""\n',
      [
        'm.yaml:5: manifest[1].id: duplicate profile id "Mol" (first at line 3)',
        'm.yaml:7: manifest[2]: each entry needs `id:` with `tags:`, or a single `<id>:` key holding them',
        'm.yaml:9: manifest[3].id: a profile id must be non-empty text',
      ],
    ],
    [
      'schema 2: a file named like the workspace\'s completion marker',
      'schema_version: 2.0.0\nprofiles:\n  - tags: {llm_engine: vllm}\n    workspace:\n      files:\n        .nimlet-complete: {uri: x}\n',
      [
        'm.yaml:6: profiles[0].workspace.files[".nimlet-complete"]: ".nimlet-complete" is the name of nimlet\'s completion marker in the workspace: rename the file',
      ],
    ],
    [
      'schema 2: a file path inside another file, in either order (a profile at a time)',
      [
        'schema_version: 2.0.0',
        'profiles:',
        '  - tags: {llm_engine: vllm}',
        '    workspace:',
        '      files:',
        '        a: {uri: x}',
        '        a/b: {uri: y}',
        '  - tags: {llm_engine: sglang}',
        '    workspace:',
        '      files:',
        '        w/x/y: {uri: x}',
        '        w/x: {uri: y}',
        '',
      ].join('\n'),
      [
        'm.yaml:7: profiles[0].workspace.files["a/b"]: "a/b" lies inside "a", which is a file of this profile: a path cannot be both a file and a folder',
        'm.yaml:12: profiles[1].workspace.files["w/x"]: "w/x/y" lies inside "w/x", which is a file of this profile: a path cannot be both a file and a folder',
      ],
    ],
    [
      'schema 2: a file inside the folder an archive fills, in either order',
      [
        'schema_version: 2.0.0',
        'profiles:',
        '  - tags: {llm_engine: vllm}',
        '    workspace:',
        '      files:',
        '        eng/x: {uri: x}',
        '        ./eng/: {uri: e.tar, extract: true}',
        '  - tags: {llm_engine: sglang}',
        '    workspace:',
        '      files:',
        '        eng: {uri: e.tar, extract: true}',
        '        eng/sub/y: {uri: y}',
        '',
      ].join('\n'),
      [
        'm.yaml:7: profiles[0].workspace.files["./eng/"]: "eng/x" lies inside "eng", which its archive fills (extract: true): nothing else may be put in that folder',
        'm.yaml:12: profiles[1].workspace.files["eng/sub/y"]: "eng/sub/y" lies inside "eng", which its archive fills (extract: true): nothing else may be put in that folder',
      ],
    ],
    [
      'NIM 1.x: component files that lie inside another component\'s file',
      `${A}:\n  tags: {llm_engine: vllm}\n  workspace: !workspace\n    components:\n    - dst: eng\n      src: {repo_id: o/m:1, files: [!name x]}\n    - dst: ''\n      src: {repo_id: o/m:1, files: [!name eng, !name c, !name c/d]}\n`,
      [
        `m.yaml:8: ${A}.workspace.components[1].src.files[0]: "eng/x" lies inside "eng", which is a file of this profile: a path cannot be both a file and a folder`,
        `m.yaml:8: ${A}.workspace.components[1].src.files[2]: "c/d" lies inside "c", which is a file of this profile: a path cannot be both a file and a folder`,
      ],
    ],
    [
      'legacy: files that lie inside another file',
      'model_profile: X\nmanifest:\n  - id: Mol\n    tags: {backend: pytorch}\n    workspace:\n      components:\n      - src: {repo_id: o/m:1, files: [!name a, !name a/b]}\n',
      ['m.yaml:7: manifest[0].workspace.components[0].src.files[1]: "a/b" lies inside "a", which is a file of this profile: a path cannot be both a file and a folder'],
    ],
    [
      'schema 2: engine arguments and environment values with a NUL byte, environment names that are no names',
      [
        'schema_version: 2.0.0',
        'profiles:',
        '  - tags: {llm_engine: vllm}',
        '    engine:',
        '      args: ["--ok", "a\\0b"]',
        '      env:',
        '        FOO: "a\\0b"',
        '        "": x',
        '        A=B: y',
        '',
      ].join('\n'),
      [
        'm.yaml:5: profiles[0].engine.args[1]: an engine argument must not contain a NUL byte (\\0)',
        'm.yaml:7: profiles[0].engine.env.FOO: an environment value must not contain a NUL byte (\\0)',
        'm.yaml:8: profiles[0].engine.env[""]: key "" is not valid: an environment variable name',
        'm.yaml:9: profiles[0].engine.env["A=B"]: key "A=B" is not valid: an environment variable name',
      ],
    ],
  ])('%s', (_what, text, details) => {
    const err = manifestError(text);
    expect(err.code).toBe('manifest-invalid');
    expect(err.exitCode).toBe(65);
    expect(err.message).toBe(`m.yaml: ${details.length} problem${details.length === 1 ? '' : 's'}`);
    expect(err.details).toEqual(details);
    expect(err.hint).toContain('nimlet manifest validate');
  });
});

describe('workspace paths that only look alike', () => {
  it('load: a shared prefix that is no folder, and the same paths in two profiles', () => {
    const text = [
      'schema_version: 2.0.0',
      'profiles:',
      '  - tags: {llm_engine: vllm}',
      '    workspace:',
      '      files:',
      '        a: {uri: x}',
      '        ab/c: {uri: y}',
      '        a.d/e: {uri: z}',
      '        eng: {uri: e.tar, extract: true}',
      '        engine/x: {uri: w}',
      '  - tags: {llm_engine: sglang}',
      '    workspace:',
      '      files:',
      '        a/b: {uri: y}',
      '        eng/x: {uri: w}',
      '',
    ].join('\n');
    expect(parseManifestText(text, 'm.yaml').profiles.map((p) => p.files.map((f) => f.path))).toEqual([
      ['a', 'ab/c', 'a.d/e', 'eng', 'engine/x'],
      ['a/b', 'eng/x'],
    ]);
  });
});
