// The selection core's public surface: pure functions of (profiles, inventory, request).
export { evaluateProfile, evaluateProfiles, compareEvaluations, demandOf } from './evaluate.js';
export { chooseProfile, selectProfile, isEligible, loraMismatch, describeEvaluations } from './select.js';
export { resolvePin, normalizeName } from './pin.js';
export { compareRank, rankKeys, describeRank } from './rank.js';
export type { Evaluation, ProfileStatus, SelectRequest, Selection } from './types.js';
