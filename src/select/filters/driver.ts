// Filter: nimlet's own requirements.min_driver against the driver nvidia-smi reports.
import type { Profile } from '../../manifest/types.js';
import { compareVersions } from '../version.js';

export function checkDriver(profile: Profile, driverVersion: string | null): string[] {
  const min = profile.requirements.minDriver;
  if (min === null) return [];
  if (driverVersion === null) return [`needs driver ≥ ${min} (requirements.min_driver); the driver version is unknown`];
  if (compareVersions(driverVersion, min) < 0) {
    return [`needs driver ≥ ${min} (requirements.min_driver); this host has ${driverVersion}`];
  }
  return [];
}
