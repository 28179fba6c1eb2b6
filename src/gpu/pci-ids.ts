// The built-in table of NVIDIA PCI device ids: identity is the PCI id, never the name, because names vary by
// driver ("A100-SXM4-40GB" without "NVIDIA ", "Graphics Device" on drivers older than the card). Families are
// written the way NIM's `gpu` tag writes them (H100, H100_NVL, A10G, L40S…); NIM uses `A100` for 40 and 80 GB.
// Sources: the public PCI ID database (pci-ids.ucw.cz) and NVIDIA's CUDA compute-capability table.

export interface PciDeviceInfo {
  /** NIM's `gpu` tag for this card. */
  family: string;
  computeCapability: string;
  /** The name a current driver reports. */
  marketingName: string;
  /** One PCI id sold as several products (25b6: A2 and A16): the name decides between these families. */
  alsoSoldAs?: readonly string[];
}

type Row = readonly [device: string, family: string, cc: string, name: string, alsoSoldAs?: readonly string[]];

// prettier-ignore
const ROWS: readonly Row[] = [
  // Pascal (below nimlet's 7.0 floor, listed so that such a card is named and rejected for a clear reason)
  ['15f7', 'P100', '6.0', 'Tesla P100-PCIE-12GB'],
  ['15f8', 'P100', '6.0', 'Tesla P100-PCIE-16GB'],
  ['15f9', 'P100', '6.0', 'Tesla P100-SXM2-16GB'],
  ['1b38', 'P40', '6.1', 'Tesla P40'],
  ['1bb3', 'P4', '6.1', 'Tesla P4'],
  ['1cb3', 'P400', '6.1', 'Quadro P400'],
  // Volta
  ['1d81', 'TITAN_V', '7.0', 'TITAN V'],
  ['1db1', 'V100', '7.0', 'Tesla V100-SXM2-16GB'],
  ['1db4', 'V100', '7.0', 'Tesla V100-PCIE-16GB'],
  ['1db5', 'V100', '7.0', 'Tesla V100-SXM2-32GB'],
  ['1db6', 'V100', '7.0', 'Tesla V100-PCIE-32GB'],
  ['1db7', 'V100', '7.0', 'Tesla V100-DGXS-32GB'],
  ['1db8', 'V100', '7.0', 'Tesla V100-SXM3-32GB'],
  ['1df6', 'V100', '7.0', 'Tesla V100S-PCIE-32GB'],
  ['1dba', 'GV100', '7.0', 'Quadro GV100'],
  // Turing
  ['1e02', 'TITAN_RTX', '7.5', 'NVIDIA TITAN RTX'],
  ['1e04', 'RTX2080_TI', '7.5', 'NVIDIA GeForce RTX 2080 Ti'],
  ['1e07', 'RTX2080_TI', '7.5', 'NVIDIA GeForce RTX 2080 Ti'],
  ['1e30', 'RTX6000', '7.5', 'Quadro RTX 6000'],
  ['1e78', 'RTX6000', '7.5', 'Quadro RTX 6000'],
  ['1e81', 'RTX2080_SUPER', '7.5', 'NVIDIA GeForce RTX 2080 SUPER'],
  ['1e82', 'RTX2080', '7.5', 'NVIDIA GeForce RTX 2080'],
  ['1e87', 'RTX2080', '7.5', 'NVIDIA GeForce RTX 2080'],
  ['1eb1', 'RTX4000', '7.5', 'Quadro RTX 4000'],
  ['1eb8', 'T4', '7.5', 'Tesla T4'],
  ['2182', 'GTX1660_TI', '7.5', 'NVIDIA GeForce GTX 1660 Ti'],
  ['2184', 'GTX1660', '7.5', 'NVIDIA GeForce GTX 1660'],
  // Ampere: GA100 is 8.0, GA10x 8.6
  ['20b0', 'A100', '8.0', 'NVIDIA A100-SXM4-40GB'],
  ['20b1', 'A100', '8.0', 'NVIDIA A100-PCIE-40GB'],
  ['20b2', 'A100', '8.0', 'NVIDIA A100-SXM4-80GB'],
  ['20b3', 'A100', '8.0', 'NVIDIA A100-SXM-64GB'],
  ['20b5', 'A100', '8.0', 'NVIDIA A100 80GB PCIe'],
  ['20f1', 'A100', '8.0', 'NVIDIA A100-PCIE-40GB'],
  ['20b7', 'A30', '8.0', 'NVIDIA A30'],
  ['20bd', 'A800', '8.0', 'NVIDIA A800-SXM4-40GB'],
  ['20f3', 'A800', '8.0', 'NVIDIA A800-SXM4-80GB'],
  ['20f5', 'A800', '8.0', 'NVIDIA A800 80GB PCIe'],
  ['20f6', 'A800', '8.0', 'NVIDIA A800 40GB Active'],
  ['2203', 'RTX3090_TI', '8.6', 'NVIDIA GeForce RTX 3090 Ti'],
  ['2204', 'RTX3090', '8.6', 'NVIDIA GeForce RTX 3090'],
  ['2206', 'RTX3080', '8.6', 'NVIDIA GeForce RTX 3080'],
  ['2208', 'RTX3080_TI', '8.6', 'NVIDIA GeForce RTX 3080 Ti'],
  ['2230', 'RTXA6000', '8.6', 'NVIDIA RTX A6000'],
  ['2231', 'RTXA5000', '8.6', 'NVIDIA RTX A5000'],
  ['2233', 'RTXA5500', '8.6', 'NVIDIA RTX A5500'],
  ['2235', 'A40', '8.6', 'NVIDIA A40'],
  ['2236', 'A10', '8.6', 'NVIDIA A10'],
  ['2237', 'A10G', '8.6', 'NVIDIA A10G'],
  ['2487', 'RTX3060', '8.6', 'NVIDIA GeForce RTX 3060'],
  ['24b0', 'RTXA4000', '8.6', 'NVIDIA RTX A4000'],
  ['25b6', 'A16', '8.6', 'NVIDIA A16', ['A2']],
  // Ada Lovelace
  ['2684', 'RTX4090', '8.9', 'NVIDIA GeForce RTX 4090'],
  ['2702', 'RTX4080_SUPER', '8.9', 'NVIDIA GeForce RTX 4080 SUPER'],
  ['2704', 'RTX4080', '8.9', 'NVIDIA GeForce RTX 4080'],
  ['26b1', 'RTX6000_ADA', '8.9', 'NVIDIA RTX 6000 Ada Generation'],
  ['26b2', 'RTX5000_ADA', '8.9', 'NVIDIA RTX 5000 Ada Generation'],
  ['26b3', 'RTX5880_ADA', '8.9', 'NVIDIA RTX 5880 Ada Generation'],
  ['26b5', 'L40', '8.9', 'NVIDIA L40'],
  ['26b9', 'L40S', '8.9', 'NVIDIA L40S'],
  ['26ba', 'L20', '8.9', 'NVIDIA L20'],
  ['27b0', 'RTX4000_SFF_ADA', '8.9', 'NVIDIA RTX 4000 SFF Ada Generation'],
  ['27b2', 'RTX4000_ADA', '8.9', 'NVIDIA RTX 4000 Ada Generation'],
  ['27b6', 'L2', '8.9', 'NVIDIA L2'],
  ['27b8', 'L4', '8.9', 'NVIDIA L4'],
  // Hopper
  ['2321', 'H100_NVL', '9.0', 'NVIDIA H100 NVL'],
  ['2330', 'H100', '9.0', 'NVIDIA H100 80GB HBM3'],
  ['2331', 'H100', '9.0', 'NVIDIA H100 PCIe'],
  ['2336', 'H100', '9.0', 'NVIDIA H100 SXM5 94GB'],
  ['2337', 'H100', '9.0', 'NVIDIA H100 SXM5 64GB'],
  ['2338', 'H100', '9.0', 'NVIDIA H100 SXM5 96GB'],
  ['2339', 'H100', '9.0', 'NVIDIA H100 SXM5 94GB'],
  ['233d', 'H100', '9.0', 'NVIDIA H100 96GB'],
  ['2322', 'H800', '9.0', 'NVIDIA H800 PCIe'],
  ['2324', 'H800', '9.0', 'NVIDIA H800'],
  ['233a', 'H800', '9.0', 'NVIDIA H800 NVL'],
  ['2329', 'H20', '9.0', 'NVIDIA H20'],
  ['2328', 'H20', '9.0', 'NVIDIA H20'],
  ['232c', 'H20', '9.0', 'NVIDIA H20'],
  ['2335', 'H200', '9.0', 'NVIDIA H200'],
  ['233b', 'H200_NVL', '9.0', 'NVIDIA H200 NVL'],
  ['2342', 'GH200', '9.0', 'NVIDIA GH200 480GB'],
  ['2343', 'GH200', '9.0', 'NVIDIA GH200 480GB'],
  ['2345', 'GH200', '9.0', 'NVIDIA GH200 144G HBM3e'],
  ['2348', 'GH200', '9.0', 'NVIDIA GH200 144G HBM3e'],
  // Blackwell: GB100 10.0, GB110 10.3, GB20x 12.0
  ['2901', 'B200', '10.0', 'NVIDIA B200'],
  ['29bc', 'B100', '10.0', 'NVIDIA B100'],
  ['2941', 'GB200', '10.0', 'NVIDIA GB200'],
  ['31c2', 'GB300', '10.3', 'NVIDIA GB300'],
  ['31c3', 'GB300', '10.3', 'NVIDIA GB300'],
  ['2b85', 'RTX5090', '12.0', 'NVIDIA GeForce RTX 5090'],
  ['2bb1', 'RTX6000_BLACKWELL_WS', '12.0', 'NVIDIA RTX PRO 6000 Blackwell Workstation Edition'],
  ['2bb4', 'RTX6000_BLACKWELL_MAXQ', '12.0', 'NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition'],
  ['2bb5', 'RTX6000_BLACKWELL_SV', '12.0', 'NVIDIA RTX PRO 6000 Blackwell Server Edition'],
];

const NVIDIA_VENDOR = '10de';

/** Keyed by lower-case `device:vendor`, the form NIM's `gpu_device` tag uses. */
export const PCI_DEVICES: ReadonlyMap<string, PciDeviceInfo> = new Map(
  ROWS.map(([device, family, computeCapability, marketingName, alsoSoldAs]) => [
    `${device}:${NVIDIA_VENDOR}`,
    alsoSoldAs ? { family, computeCapability, marketingName, alsoSoldAs } : { family, computeCapability, marketingName },
  ]),
);

/**
 * nvidia-smi's `pci.device_id` (0xDDDDVVVV: device then vendor) as lower-case `dddd:vvvv`. Null for an unknown
 * value and for a masked id: some virtualised hosts (AWS A10G) report 0x000000DE, device 0000.
 */
export function normalizePciDeviceId(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  const m = /^(?:0x)?([0-9a-f]{4})([0-9a-f]{4})$/.exec(v) ?? /^([0-9a-f]{4}):([0-9a-f]{4})$/.exec(v);
  if (!m) return null;
  const [, device, vendor] = m as unknown as [string, string, string];
  if (/^0+$/.test(device) || /^0+$/.test(vendor)) return null;
  return `${device}:${vendor}`;
}

/** The table's entry for a PCI id in any form nvidia-smi or a manifest writes it (0x233010DE, 2330:10de, 2330). */
export function lookupPciDevice(id: string): PciDeviceInfo | undefined {
  const bare = id.trim().toLowerCase();
  const key = /^[0-9a-f]{4}$/.test(bare) ? `${bare}:${NVIDIA_VENDOR}` : normalizePciDeviceId(bare);
  return key === null ? undefined : PCI_DEVICES.get(key);
}
