// What the hardware probe found, in the shape `gpus --json` prints (DESIGN §1).

export interface MigDevice {
  /** MIG-… UUID, what CUDA_VISIBLE_DEVICES takes. */
  uuid: string;
  /** The GPU-instance profile as `nvidia-smi -L` writes it: 1g.10gb, 3g.40gb, 1c.3g.71gb. */
  profile: string;
  /** Device index inside its parent GPU. */
  index: number;
}

export interface Gpu {
  /** nvidia-smi index. */
  index: number;
  uuid: string;
  /** As the driver reports it (not used for identity unless the PCI id is unknown or masked). */
  name: string;
  /** Lower-case `device:vendor`, e.g. 2330:10de; null when the driver reports none or a masked one. */
  pciDeviceId: string | null;
  busId: string | null;
  memoryTotalMiB: number | null;
  memoryUsedMiB: number | null;
  memoryFreeMiB: number | null;
  /** "9.0"; from the driver, else the built-in table; null when neither knows. */
  computeCapability: string | null;
  /** The family NIM's `gpu` tag names (H100, H100_NVL, A10G…), from the PCI id table, else read from the name. */
  family: string | null;
  migEnabled: boolean;
  migDevices: MigDevice[];
}

export interface GpuInventory {
  driverVersion: string | null;
  /** The GPUs that count: after NVIDIA_VISIBLE_DEVICES and CUDA_VISIBLE_DEVICES. */
  gpus: Gpu[];
  /** Why no GPU is listed, when none is (no nvidia-smi, hidden by NVIDIA_VISIBLE_DEVICES=none…), else null. */
  absentReason: string | null;
}
