// Download progress: see create-progress.ts.
export { createProgress, type Progress, type ProgressOptions } from './create-progress.js';
export { formatDuration, formatRate, progressLine } from './format.js';
