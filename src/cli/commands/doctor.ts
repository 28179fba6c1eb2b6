// nimlet doctor [--json]: driver, GPUs, cache writability and free space, credentials present, manifest valid,
// sources reachable, engines found. Exit 0 when nothing failed (warnings allowed); a missing or invalid manifest
// exits as serve would (66, 65); any other failure 69.
import { describeEngines, findEngines } from '../engines-present.js';
import { commandSettings } from '../settings.js';
import { readDoctorTimeoutMs } from '../../config/env.js';
import { check } from '../../host/doctor/check.js';
import { readCredentials } from '../../config/credentials.js';
import { EXIT } from '../../errors.js';
import { formatChecks, runDoctor } from '../../host/doctor/run-doctor.js';
import { redactText } from '../../log/redact.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async (ctx, options) => {
  const settings = commandSettings(ctx, options);
  const cacheDir = settings.cacheDir;
  // read before any check runs: a bad value is exit 78, not a report whose endpoint checks used another timeout
  const endpointTimeoutMs = readDoctorTimeoutMs(ctx.env);
  const [host, engines] = await Promise.all([
    runDoctor({ env: ctx.env, settings, cwd: ctx.cwd, cacheDir, manifestOption: options.manifest, endpointTimeoutMs }),
    findEngines(settings, ctx.env, ctx.cwd),
  ]);
  // No engine is a warning, not a failure: doctor also runs on hosts that only fill caches (download-to-cache).
  const engineCheck = engines.found.length > 0
    ? check('engines', 'ok', describeEngines(engines))
    : check('engines', 'warn', describeEngines(engines), 'serve needs one: run nimlet in its engine image (docs/container.md), or set NIMLET_VLLM_CMD / NIMLET_TRTLLM_CMD / NIMLET_SGLANG_CMD');
  // beside the GPUs: together they say whether serve can start anything here
  const afterGpus = host.checks.findIndex((c) => c.name === 'gpus') + 1;
  const checks = [...host.checks.slice(0, afterGpus), engineCheck, ...host.checks.slice(afterGpus)];
  const { failureExitCode } = host;
  const ok = failureExitCode === null;
  const report = options.json ? JSON.stringify({ ok, checks }, null, 2) : formatChecks(checks).join('\n');
  // a report is pasted into tickets: no token's value, no URL's password, whichever check quoted it
  ctx.stdout(redactText(report, readCredentials(ctx.env)) + '\n');
  return failureExitCode ?? EXIT.ok;
};
