import { describe, expect, it } from 'vitest';
import { familyFromName } from '../../src/gpu/family.js';
import { PCI_DEVICES, lookupPciDevice, normalizePciDeviceId } from '../../src/gpu/pci-ids.js';

describe('normalizePciDeviceId', () => {
  it.each([
    ['0x233010DE', '2330:10de'],
    ['0x26B910DE', '26b9:10de'],
    [' 0x2BB410DE ', '2bb4:10de'],
    ['233010de', '2330:10de'],
    ['2330:10DE', '2330:10de'],
    ['0x000000DE', null], // masked by the hypervisor (AWS A10G)
    ['0x00000000', null],
    ['[N/A]', null],
    ['', null],
    ['0x2330', null],
    ['garbage!', null],
  ])('%j → %j', (raw, want) => {
    expect(normalizePciDeviceId(raw)).toBe(want);
  });
});

describe('lookupPciDevice', () => {
  // Every device id of the real machines the conformance run uses, and the data-centre GPUs since Volta.
  it.each([
    ['1e81:10de', 'RTX2080_SUPER', '7.5'],
    ['2702:10de', 'RTX4080_SUPER', '8.9'],
    ['2330:10de', 'H100', '9.0'],
    ['2331:10de', 'H100', '9.0'],
    ['2321:10de', 'H100_NVL', '9.0'],
    ['2335:10de', 'H200', '9.0'],
    ['233b:10de', 'H200_NVL', '9.0'],
    ['2342:10de', 'GH200', '9.0'],
    ['2329:10de', 'H20', '9.0'],
    ['2324:10de', 'H800', '9.0'],
    ['26b9:10de', 'L40S', '8.9'],
    ['26b5:10de', 'L40', '8.9'],
    ['26ba:10de', 'L20', '8.9'],
    ['27b8:10de', 'L4', '8.9'],
    ['2235:10de', 'A40', '8.6'],
    ['2236:10de', 'A10', '8.6'],
    ['2237:10de', 'A10G', '8.6'],
    ['25b6:10de', 'A16', '8.6'],
    ['20b0:10de', 'A100', '8.0'],
    ['20b1:10de', 'A100', '8.0'],
    ['20b2:10de', 'A100', '8.0'],
    ['20b5:10de', 'A100', '8.0'],
    ['20f3:10de', 'A800', '8.0'],
    ['20b7:10de', 'A30', '8.0'],
    ['2684:10de', 'RTX4090', '8.9'],
    ['26b1:10de', 'RTX6000_ADA', '8.9'],
    ['2230:10de', 'RTXA6000', '8.6'],
    ['2231:10de', 'RTXA5000', '8.6'],
    ['1e87:10de', 'RTX2080', '7.5'],
    ['2184:10de', 'GTX1660', '7.5'],
    ['2bb4:10de', 'RTX6000_BLACKWELL_MAXQ', '12.0'],
    ['1cb3:10de', 'P400', '6.1'],
    ['2487:10de', 'RTX3060', '8.6'],
    ['27b0:10de', 'RTX4000_SFF_ADA', '8.9'],
    ['1eb8:10de', 'T4', '7.5'],
    ['1db1:10de', 'V100', '7.0'],
    ['1db4:10de', 'V100', '7.0'],
    ['1db5:10de', 'V100', '7.0'],
    ['1db6:10de', 'V100', '7.0'],
    ['1df6:10de', 'V100', '7.0'],
    ['2901:10de', 'B200', '10.0'],
    ['29bc:10de', 'B100', '10.0'],
    ['2941:10de', 'GB200', '10.0'],
  ])('%s is %s, compute capability %s', (id, family, cc) => {
    expect(lookupPciDevice(id)).toMatchObject({ family, computeCapability: cc });
  });

  it('accepts the forms nvidia-smi and manifests write', () => {
    expect(lookupPciDevice('0x233010DE')?.family).toBe('H100');
    expect(lookupPciDevice('2330')?.family).toBe('H100');
    expect(lookupPciDevice('2330:10DE')?.family).toBe('H100');
  });

  it.each(['0x000000DE', '2e12:10de', '2330:1002', 'nonsense', ''])('knows nothing about %j', (id) => {
    expect(lookupPciDevice(id)).toBeUndefined();
  });

  it('keys are lower-case device:vendor and capabilities look like 9.0', () => {
    for (const [key, info] of PCI_DEVICES) {
      expect(key).toMatch(/^[0-9a-f]{4}:10de$/);
      expect(info.computeCapability).toMatch(/^\d+\.\d$/);
    }
  });

  it("every row's family is what its own driver name reads as, so the name fallback agrees with the table", () => {
    for (const [key, info] of PCI_DEVICES) {
      expect([key, familyFromName(info.marketingName)]).toEqual([key, info.family]);
    }
  });
});
