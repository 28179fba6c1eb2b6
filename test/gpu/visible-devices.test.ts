import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/config/read.js';
import { readGpuVisibility } from '../../src/config/visible-devices.js';
import { NimletError } from '../../src/errors.js';
import { attachMigDevices, parseMigList } from '../../src/gpu/mig-list.js';
import { parseQueryCsv } from '../../src/gpu/query-csv.js';
import type { Gpu } from '../../src/gpu/types.js';
import { applyVisibility as applyRead } from '../../src/gpu/visible-devices.js';
import { machineFile } from './fixtures.js';

/** The variables as config/ reads them, then applied: both halves of what a command does. */
const applyVisibility = (gpus: readonly Gpu[], env: Env) => applyRead(gpus, readGpuVisibility(env));

function machine(name: string): Gpu[] {
  const { gpus } = parseQueryCsv(machineFile(name, 'query.csv'), { hasComputeCap: true });
  return attachMigDevices(gpus, parseMigList(machineFile(name, 'L.txt')));
}

const h100x8 = machine('h100-sxm-x8');
const mig = machine('h100-mig');
const uuid = (i: number) => h100x8[i]!.uuid;
const MIG1 = 'MIG-9d1e2f30-0001-5a6b-8c9d-0e1f2a3b4c51';
const MIG2 = 'MIG-9d1e2f30-0002-5a6b-8c9d-0e1f2a3b4c52';

/** [indices kept, MIG device uuids kept per kept GPU] */
function shape(gpus: Gpu[]) {
  return gpus.map((g) => [g.index, g.migDevices.map((m) => m.uuid)]);
}

describe('applyVisibility', () => {
  it.each<[string, Env, number[]]>([
    ['nothing set', {}, [0, 1, 2, 3, 4, 5, 6, 7]],
    ['NVIDIA_VISIBLE_DEVICES=all', { NVIDIA_VISIBLE_DEVICES: 'all' }, [0, 1, 2, 3, 4, 5, 6, 7]],
    ['NVIDIA_VISIBLE_DEVICES empty (as unset)', { NVIDIA_VISIBLE_DEVICES: '' }, [0, 1, 2, 3, 4, 5, 6, 7]],
    ['NVIDIA indices', { NVIDIA_VISIBLE_DEVICES: '3,1' }, [1, 3]],
    ['NVIDIA UUIDs', { NVIDIA_VISIBLE_DEVICES: `${uuid(6)},${uuid(2)}` }, [2, 6]],
    ['NVIDIA list with spaces', { NVIDIA_VISIBLE_DEVICES: ' 0 , 7 ' }, [0, 7]],
    ['CUDA indices', { CUDA_VISIBLE_DEVICES: '5,4' }, [4, 5]],
    ['CUDA UUID in lower case', { CUDA_VISIBLE_DEVICES: uuid(4).toLowerCase() }, [4]],
    ['CUDA unique UUID prefix', { CUDA_VISIBLE_DEVICES: 'GPU-3f2a9c15' }, [5]],
    ['NVIDIA then CUDA', { NVIDIA_VISIBLE_DEVICES: '0,1,2,3', CUDA_VISIBLE_DEVICES: `2,${uuid(3)}` }, [2, 3]],
    ['duplicates count once', { CUDA_VISIBLE_DEVICES: `1,1,${uuid(1)}` }, [1]],
  ])('%s', (_, env, want) => {
    const r = applyVisibility(h100x8, env);
    expect(r.gpus.map((g) => g.index)).toEqual(want);
    expect(r.absentReason).toBeNull();
  });

  it.each<[string, number, Env, number[]]>([
    ['--gpus device=1: one GPU in the container, index 0', 1, { NVIDIA_VISIBLE_DEVICES: '1' }, [0]],
    ['--gpus device=5,7: two GPUs, indices 0 and 1', 2, { NVIDIA_VISIBLE_DEVICES: '5,7' }, [0, 1]],
    ['and CUDA_VISIBLE_DEVICES still counts in container indices', 2, { NVIDIA_VISIBLE_DEVICES: '5,7', CUDA_VISIBLE_DEVICES: '1' }, [1]],
  ])('NVIDIA indices the container runtime already applied: %s', (_, shown, env, want) => {
    const r = applyVisibility(h100x8.slice(0, shown), env);
    expect(r.gpus.map((g) => g.index)).toEqual(want);
    expect(r.absentReason).toBeNull();
  });

  it.each<[string, Env, string]>([
    ['NVIDIA none', { NVIDIA_VISIBLE_DEVICES: 'none' }, 'NVIDIA_VISIBLE_DEVICES=none hides every GPU'],
    ['NVIDIA void', { NVIDIA_VISIBLE_DEVICES: 'void' }, 'NVIDIA_VISIBLE_DEVICES=void hides every GPU'],
    ['CUDA empty', { CUDA_VISIBLE_DEVICES: '' }, 'CUDA_VISIBLE_DEVICES="" hides every GPU'],
    ['CUDA -1', { CUDA_VISIBLE_DEVICES: '-1' }, 'CUDA_VISIBLE_DEVICES="-1" hides every GPU'],
  ])('%s hides every GPU and says why', (_, env, reason) => {
    expect(applyVisibility(h100x8, env)).toEqual({ gpus: [], absentReason: reason });
  });

  it.each<[string, Env, (number | string[])[][]]>([
    ['a MIG UUID keeps only that MIG device of its parent', { CUDA_VISIBLE_DEVICES: MIG2 }, [[0, [MIG2]]]],
    ['two MIG UUIDs of one parent', { CUDA_VISIBLE_DEVICES: `${MIG2},${MIG1}` }, [[0, [MIG1, MIG2]]]],
    ['a MIG UUID and a whole GPU', { NVIDIA_VISIBLE_DEVICES: `${MIG1},1` }, [[0, [MIG1]], [1, []]]],
    ['NVIDIA gpu:mig notation', { NVIDIA_VISIBLE_DEVICES: '0:2' }, [[0, [MIG2]]]],
    ['the parent by index keeps all its MIG devices', { CUDA_VISIBLE_DEVICES: '0' },
      [[0, ['MIG-9d1e2f30-0000-5a6b-8c9d-0e1f2a3b4c50', MIG1, MIG2]]]],
    ['NVIDIA narrows to one MIG device, CUDA names its parent', { NVIDIA_VISIBLE_DEVICES: MIG1, CUDA_VISIBLE_DEVICES: '0' }, [[0, [MIG1]]]],
  ])('%s', (_, env, want) => {
    expect(shape(applyVisibility(mig, env).gpus)).toEqual(want);
  });

  it('a UUID reported twice (cloned VM images) selects both', () => {
    const twins = h100x8.slice(0, 2).map((g) => ({ ...g, uuid: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab' }));
    expect(applyVisibility(twins, { CUDA_VISIBLE_DEVICES: 'GPU-12345678-aaaa-bbbb-cccc-0123456789ab' }).gpus).toHaveLength(2);
  });

  it.each<[Env, string]>([
    [{ NVIDIA_VISIBLE_DEVICES: 'gpu0' }, 'NVIDIA_VISIBLE_DEVICES="gpu0" is not valid: "gpu0" is neither a GPU index nor a GPU-/MIG- UUID'],
    [{ NVIDIA_VISIBLE_DEVICES: '0,,1' }, 'NVIDIA_VISIBLE_DEVICES="0,,1" is not valid: "" is neither a GPU index nor a GPU-/MIG- UUID'],
    [{ NVIDIA_VISIBLE_DEVICES: '9' }, 'NVIDIA_VISIBLE_DEVICES="9" is not valid: no GPU with index 9 here (indices: 0, 1, 2, 3, 4, 5, 6, 7)'],
    [{ CUDA_VISIBLE_DEVICES: 'all' }, 'CUDA_VISIBLE_DEVICES="all" is not valid: "all" is neither a GPU index nor a GPU-/MIG- UUID'],
    [{ CUDA_VISIBLE_DEVICES: '0:1' }, 'CUDA_VISIBLE_DEVICES="0:1" is not valid: "0:1" is neither a GPU index nor a GPU-/MIG- UUID'],
    [{ CUDA_VISIBLE_DEVICES: 'GPU-00000000' }, 'CUDA_VISIBLE_DEVICES="GPU-00000000" is not valid: no GPU GPU-00000000 here'],
    [{ CUDA_VISIBLE_DEVICES: 'GPU-3f2a9c1' }, 'CUDA_VISIBLE_DEVICES="GPU-3f2a9c1" is not valid: GPU-3f2a9c1 is the start of several GPUs\' UUIDs'],
    [{ CUDA_VISIBLE_DEVICES: 'MIG-9d1e2f30-0001' }, 'CUDA_VISIBLE_DEVICES="MIG-9d1e2f30-0001" is not valid: no MIG device MIG-9d1e2f30-0001 here'],
    [{ NVIDIA_VISIBLE_DEVICES: '0,1', CUDA_VISIBLE_DEVICES: '2' }, 'CUDA_VISIBLE_DEVICES="2" is not valid: no GPU with index 2 here (indices: 0, 1)'],
  ])('%j is a bad-config error naming the variable', (env, message) => {
    let error: unknown;
    try {
      applyVisibility(h100x8, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NimletError);
    const e = error as NimletError;
    expect([e.code, e.exitCode, e.message]).toEqual(['bad-config', 78, message]);
  });

  it('NVIDIA gpu:mig notation naming a missing MIG device is an error', () => {
    expect(() => applyVisibility(mig, { NVIDIA_VISIBLE_DEVICES: '0:7' })).toThrow('GPU 0 has no MIG device 7');
  });
});
