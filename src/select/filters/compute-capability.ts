// Filter: the GPUs' compute capability against what the profile's precision and requirements need.
// Every profile needs Volta (7.0) or newer; bf16 needs Ampere (8.0), fp8 Ada/Hopper (8.9), nvfp4 Blackwell (10.0).
import type { Profile } from '../../manifest/types.js';
import type { Unit } from '../units.js';
import { compareVersions } from '../version.js';

export const BASE_COMPUTE_CAPABILITY = '7.0';

const PRECISION_MIN: Readonly<Record<string, string>> = { bf16: '8.0', fp8: '8.9', nvfp4: '10.0' };

interface Need {
  min: string;
  /** How the reason names the requirement. */
  what: string;
  /** An unknown capability fails it (precisions that need hardware support, explicit requirements). */
  strict: boolean;
}

export function computeCapabilityNeeds(profile: Profile): Need[] {
  const needs: Need[] = [{ min: BASE_COMPUTE_CAPABILITY, what: 'needs', strict: false }];
  const precision = profile.precision?.toLowerCase();
  const min = precision === undefined ? undefined : PRECISION_MIN[precision];
  if (min !== undefined) needs.push({ min, what: `${precision} needs`, strict: true });
  const stated = profile.requirements.minComputeCapability;
  if (stated !== null) needs.push({ min: stated, what: 'requirements.min_compute_capability needs', strict: true });
  return needs;
}

/** One reason per unmet need, naming the first unit that falls short. */
export function checkComputeCapability(profile: Profile, units: readonly Unit[]): string[] {
  const reasons: string[] = [];
  for (const need of computeCapabilityNeeds(profile)) {
    for (const unit of units) {
      const cc = unit.computeCapability;
      if (cc === null) {
        if (!need.strict) continue;
        reasons.push(`${need.what} compute capability ≥ ${need.min}; ${unit.label}'s is unknown`);
        break;
      }
      if (compareVersions(cc, need.min) < 0) {
        reasons.push(`${need.what} compute capability ≥ ${need.min}; ${unit.label} has ${cc}`);
        break;
      }
    }
  }
  return reasons;
}

/** For a runnable profile's explanation: "compute capability 9.0 (fp8 needs ≥ 8.9)". */
export function describeComputeCapabilityFit(profile: Profile, units: readonly Unit[]): string {
  const needs = computeCapabilityNeeds(profile);
  const top = needs.reduce((a, b) => (compareVersions(b.min, a.min) > 0 ? b : a));
  return `compute capability ${units[0]?.computeCapability ?? 'unknown'} (${top.what} ≥ ${top.min})`;
}
