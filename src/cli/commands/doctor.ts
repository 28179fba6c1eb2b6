// nimlet doctor [--json]: driver, GPUs, cache writability and free space, credentials present, manifest valid,
// sources reachable. Exit 0 when nothing failed (warnings allowed); a missing or invalid manifest exits as serve
// would (66, 65); any other failure 69.
import { commandSettings } from '../settings.js';
import { credentialsToScrub } from '../../engine/environment.js';
import { EXIT } from '../../errors.js';
import { readDoctorTimeoutMs } from '../../host/doctor/network-checks.js';
import { formatChecks, runDoctor } from '../../host/doctor/run-doctor.js';
import { redactText } from '../../log/redact.js';
import type { CommandRun } from '../context.js';

export const run: CommandRun = async (ctx, options) => {
  const settings = commandSettings(ctx, options);
  const cacheDir = settings.cacheDir;
  // read before any check runs: a bad value is exit 78, not a report whose endpoint checks used another timeout
  const endpointTimeoutMs = readDoctorTimeoutMs(ctx.env);
  const { checks, failureExitCode } = await runDoctor({ env: ctx.env, settings, cwd: ctx.cwd, cacheDir, manifestOption: options.manifest, endpointTimeoutMs });
  const ok = failureExitCode === null;
  const report = options.json ? JSON.stringify({ ok, checks }, null, 2) : formatChecks(checks).join('\n');
  // a report is pasted into tickets: no token's value, no URL's password, whichever check quoted it
  ctx.stdout(redactText(report, credentialsToScrub(ctx.env)) + '\n');
  return failureExitCode ?? EXIT.ok;
};
