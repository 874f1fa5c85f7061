/**
 * `npm start`: the monthly job, run for real on this machine. Starts the local engines,
 * drops the file in the practice's inbox, runs the import workflow (the real ASL and
 * handlers), then runs the month on virtual clocks (local/month-runner.ts): every enrollment
 * through the cadence workflow, each call ending as the scenario scripts it, dispositions,
 * appointments with their reminders, visits reported, follow-ups and review requests.
 * Writes the postcard manifests and hand-off files, prints progress and a summary, and
 * optionally writes it as JSON.
 *
 * Then runs the config's broadcasts and date-relative campaigns (local/run-runner.ts).
 *
 *   npm start -- [--file PATH] [--practice ID] [--report OUT.json] [--state DIR] [--config PATH]
 *                [--scenario PATH] [--latency-ms N] [--lookup-limit N] [--timeline CONTACT]
 *                [--broadcast NAME]… [--no-cadence] [--quiet]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { downloadReport, importFile, LOCAL_NAMES, SAMPLE_CONFIG, ROOT, startLocalStack, type LocalStack } from './local-stack';
import { startedExecutions, type CadenceRun } from './cadence-runner';
import { runConfiguredRuns, type ConfiguredRuns, type RunTotals } from './run-runner';
import { runMonth, scanItems, type MonthRun } from './month-runner';
import { appointmentCounts, dispositionCounts, replyCounts, type AppointmentCounts, type DispositionCounts, type ReplyCounts } from './month-report';
import { CallOutcomeSchema, ReplyScriptSchema, type SandboxOptions } from './sandbox/types';
import { z } from 'zod';
import { cadenceReport, contactTimeline, type CadenceReport } from './cadence-report';
import { parseStageConfig, type StageConfig } from '../lambdas/domain/stage-config';
import type { ImportRun, ImportSummary } from '../lambdas/domain/import-run';
import { logger } from '../lambdas/adapters/powertools';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The scenario file: how the month's calls end, by number (the sandbox's callOutcomes). */
const scenarioSchema = z
  .object({
    description: z.string().optional(),
    callOutcomes: z.record(z.string(), z.array(CallOutcomeSchema).min(1)),
    replies: z.record(z.string(), z.array(ReplyScriptSchema).min(1)).optional(),
    deliveries: z.record(z.string(), z.array(z.string()).min(1)).optional(),
  })
  .strict();

const USAGE = `Usage: npm start -- [options]

Runs the monthly import on local engines (no AWS account needed).

  --file PATH         CSV or JSON Lines file to import (default: samples/prospects.csv)
  --practice ID       practice whose inbox receives the file (default: the config's first practice)
  --report OUT.json   also write the summary as JSON
  --state DIR         keep the tracker and buckets in DIR, so a second run sees the first
                      (default: a fresh temporary directory)
  --config PATH       stage config (default: samples/stage.sample.json)
  --scenario PATH     how the calls end: dispositions, appointments and visits by number
                      (default: samples/scenario.json)
  --latency-ms N      telephony sandbox latency per call (default 20)
  --lookup-limit N    PhoneNumberValidate calls/second the sandbox allows (default: the config's rate)
  --timeline CONTACT  print one person's timeline afterwards (contact id, or the file's external id)
  --broadcast NAME    after the month, run only this broadcast of the config (repeatable;
                      default: every broadcast in the config)
  --no-cadence        import only; do not run the cadences it starts
  --quiet             no progress output
  --help              this text`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        file: { type: 'string' },
        practice: { type: 'string' },
        report: { type: 'string' },
        state: { type: 'string' },
        config: { type: 'string' },
        scenario: { type: 'string' },
        'latency-ms': { type: 'string' },
        'lookup-limit': { type: 'string' },
        quiet: { type: 'boolean' },
        timeline: { type: 'string' },
        broadcast: { type: 'string', multiple: true },
        'no-cadence': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const configPath = resolve(args.config ?? SAMPLE_CONFIG);
  const file = resolve(args.file ?? join(ROOT, 'samples', 'prospects.csv'));
  if (!existsSync(file)) {
    console.error(`No such file: ${file}`);
    return 2;
  }
  const config = parseStageConfig(JSON.parse(readFileSync(configPath, 'utf8')), configPath);
  const scenarioPath = resolve(args.scenario ?? join(ROOT, 'samples', 'scenario.json'));
  let scenario: Pick<SandboxOptions, 'callOutcomes' | 'replies' | 'deliveries'>;
  try {
    const { callOutcomes, replies, deliveries } = scenarioSchema.parse(JSON.parse(readFileSync(scenarioPath, 'utf8')));
    scenario = { callOutcomes, ...(replies ? { replies } : {}), ...(deliveries ? { deliveries } : {}) };
  } catch (e) {
    console.error(`Cannot use the scenario ${scenarioPath}: ${(e as Error).message}`);
    return 2;
  }
  const unknown = (args.broadcast ?? []).filter((name) => !config.broadcasts.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(`No broadcast ${unknown.map((n) => `"${n}"`).join(', ')} in ${configPath}; known: ${config.broadcasts.map((b) => b.name).join(', ') || 'none'}`);
    return 2;
  }
  const practiceId = args.practice ?? config.practices[0]!.id;
  if (!config.practices.some((p) => p.id === practiceId)) {
    console.error(`No practice "${practiceId}" in ${configPath}; known: ${config.practices.map((p) => p.id).join(', ')}`);
    return 2;
  }
  const say = args.quiet ? () => undefined : (text: string) => process.stderr.write(`${text}\n`);

  // Handler logs are for CloudWatch; here the summary says what happened. The handlers' shared
  // logger read POWERTOOLS_LOG_LEVEL when this file's imports loaded it, before this line: setting
  // the variable alone would leave it at INFO. A level the caller set was read then, and stays.
  if (process.env.POWERTOOLS_LOG_LEVEL === undefined) {
    process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
    logger.setLogLevel('CRITICAL');
  }
  say('Starting local engines (dynalite, s3rver, telephony sandbox)…');
  const stack = await startLocalStack({
    stateDir: args.state ? resolve(args.state) : undefined,
    configPath,
    sandbox: {
      latencyMs: Number(args['latency-ms'] ?? 20),
      rateLimits: { PhoneNumberValidate: Number(args['lookup-limit'] ?? config.validation.ratePerSecond) },
      ...scenario,
    },
  });
  try {
    say(`State: ${stack.stateDir}`);
    say(`Importing ${file} into inbox/${practiceId}/ …`);
    const started = Date.now();
    const outcome = await importFile(stack, file, { practiceId, onProgress: args.quiet ? undefined : progress(started) });
    if (!args.quiet && process.stderr.isTTY) process.stderr.write('\n');
    const { execution, summary } = outcome;

    if (outcome.skipped) say(`This exact file version was handled before (${outcome.skipped}); nothing new to do.`);
    if (execution.status === 'FAILED') {
      console.error(`\nImport failed: ${execution.cause ?? execution.error}`);
      if (summary) await writeReport(args.report, summary);
      return 1;
    }
    if (!summary) {
      console.error('Import finished without a summary.');
      return 1;
    }
    const importReport = await localReport(summary, stack);
    printSummary(importReport, (Date.now() - started) / 1000);

    let report: object = importReport;
    const { executions, last } = await startedExecutions(stack);
    if (executions.length > 0 && !args['no-cadence']) {
      const cadenceStarted = Date.now();
      say(`\nRunning the month: ${executions.length} enrollment(s) through their cadence on virtual clocks, calls ending as ${scenarioPath} says…`);
      const month = await runMonth(stack, config, executions, last, {
        onFinished: args.quiet ? undefined : cadenceProgress(cadenceStarted),
        onCadencesDone: () => !args.quiet && process.stderr.isTTY && process.stderr.write('\n'),
      });
      const { runs } = month;
      // Broadcasts and campaigns before the report, so its window and duplicate checks cover their sends too.
      const runsStarted = Date.now();
      const configured = await runConfiguredRuns(stack, config, { from: new Date(started), broadcasts: args.broadcast });
      const runSeconds = (Date.now() - runsStarted) / 1000;
      const cadence = await cadenceReport(month.executions, config, stack.engines.sandbox!, LOCAL_NAMES.table);
      const reportsDir = join(stack.stateDir, 'reports', summary.importId);
      const manifests = await writeDailyFiles(stack, 'postcard-manifest', cadence.postcardDays, reportsDir);
      const [dispositions, appointments, replies] = await Promise.all([dispositionCounts(LOCAL_NAMES.table), appointmentCounts(LOCAL_NAMES.table), replyCounts(LOCAL_NAMES.table)]);
      const handOffFiles = await writeDailyFiles(stack, 'hand-off-file', await handOffDays(config), reportsDir);
      const failed = runs.filter((r) => r.result.status === 'FAILED');
      const transitions = runs.reduce((n, r) => n + r.result.transitions, 0);
      printCadence(cadence, manifests, (Date.now() - cadenceStarted) / 1000, transitions / runs.length, failed.length);
      printMonth(dispositions, appointments, month, handOffFiles);
      printReplies(replies);
      printRuns(configured, runSeconds);
      const htmlReport = await writeOutreachReport(stack, practiceId, reportsDir);
      console.log(`\nOutreach report (HTML, charts inline): ${htmlReport}`);
      report = {
        ...importReport,
        sent: cadence.sent,
        skipped: cadence.skipped,
        windowViolations: cadence.windowViolations,
        duplicateSends: cadence.duplicateSends,
        dispositions: dispositions.byCode,
        appointments,
        optOuts: replies.optOuts,
        messagesAfterOptOut: replies.messagesAfterOptOut,
        flaggedReplies: replies.flaggedReplies,
        deliveryByStatus: replies.deliveryByStatus,
        repliesByKind: replies.repliesByKind,
        broadcasts: configured.broadcasts,
        campaigns: configured.campaigns,
        htmlReport,
        failedRuns: configured.failedRuns,
        cadence: {
          ...cadence,
          postcardManifests: manifests,
          failedExecutions: failed.length,
          failures: failed.map((r) => ({ execution: r.name, error: r.result.error, cause: r.result.cause })),
          transitionsPerEnrollment: transitions / runs.length,
        },
        month: {
          scenario: scenarioPath,
          calls: month.desk.answered.map((c) => ({ at: c.at, contactId: c.contactId, kind: c.kind, reported: c.reported })),
          schedulesFired: month.fired.map((f) => ({ at: f.at, job: f.job, name: f.name, outcome: (f.output as { outcome?: string } | undefined)?.outcome ?? f.error })),
          visitsReported: month.practiceChanges.map((c) => ({ at: c.at, appointmentId: c.appointmentId, change: c.change })),
          flaggedDispositions: dispositions.flagged,
          handOffFiles,
        },
      };
    } else if (!args['no-cadence'] && (config.broadcasts.length > 0 || config.campaigns.length > 0)) {
      // Nothing new enrolled (the same file again): the broadcasts and campaigns still run; each trigger sends at most once.
      const runsStarted = Date.now();
      const configured = await runConfiguredRuns(stack, config, { from: new Date(started), broadcasts: args.broadcast });
      printRuns(configured, (Date.now() - runsStarted) / 1000);
      report = { ...importReport, broadcasts: configured.broadcasts, campaigns: configured.campaigns, failedRuns: configured.failedRuns };
    }
    if (args.timeline) await printTimeline(practiceId, args.timeline);
    await writeReport(args.report, report);
    return 0;
  } finally {
    await stack.stop();
  }
}

/** One status line, redrawn in place on a terminal, printed every few seconds otherwise. */
function progress(started: number): (run: ImportRun) => void {
  let lastPrinted = 0;
  return (run) => {
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const n = run.numberCounts;
    const line =
      run.phase === 'rows'
        ? `  reading rows: ${run.rowCounts.rowsRead.toLocaleString('en-US')} (${pct(run.rowCursor.byte, run.source.size)} of the file) · ${seconds}s`
        : `  classifying numbers: ${n.uniqueNumbers.toLocaleString('en-US')} done (${n.lookups} looked up, ${n.cacheHits} cached) · ${seconds}s`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(90)}`);
    else if (Date.now() - lastPrinted > 5000) {
      process.stderr.write(`${line}\n`);
      lastPrinted = Date.now();
    }
  };
}

function pct(part: number, whole: number): string {
  return whole ? `${Math.min(100, Math.floor((part / whole) * 100))}%` : '100%';
}

type LocalReport = ImportSummary & { readonly rejectsObject?: string; readonly warningsObject?: string; readonly stateDir: string };

/** The summary as the deployed system writes it, with the report files copied out where a person can open them. */
async function localReport(summary: ImportSummary, stack: LocalStack): Promise<LocalReport> {
  const reports = join(stack.stateDir, 'reports', summary.importId);
  await mkdir(reports, { recursive: true });
  return {
    ...summary,
    rejectsFile: summary.rejectsFile ? await downloadReport(stack, summary.rejectsFile, reports) : undefined,
    rejectsObject: summary.rejectsFile,
    warningsFile: summary.warningsFile ? await downloadReport(stack, summary.warningsFile, reports) : undefined,
    warningsObject: summary.warningsFile,
    stateDir: stack.stateDir,
  };
}

function printSummary(s: LocalReport, seconds: number): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const types = Object.entries(s.byPhoneType)
    .filter(([, c]) => c > 0)
    .map(([t, c]) => `${t.toLowerCase()} ${n(c)}`)
    .join(', ');
  console.log(`
Import ${s.importId} (${s.practiceId}) — ${s.status} in ${seconds.toFixed(1)}s
  rows read      ${n(s.rowsRead)}
  created        ${n(s.created)}
  updated        ${n(s.updated)}   unchanged ${n(s.unchanged)}
  duplicates     ${n(s.duplicates)}   (merged into a person earlier in the file)
  rejected       ${n(s.rejected)}${s.rejectsFile ? `   → ${s.rejectsFile}` : ''}
  warnings       ${n(s.warnings)}${s.warningsFile ? `   → ${s.warningsFile}` : ''}
  numbers        ${n(s.uniqueNumbers)} unique: ${n(s.lookups)} looked up, ${n(s.cacheHits)} from cache, ${n(s.lookupFailures)} failed (retried next import)
  phone types    ${types || 'none'}`);
}

function cadenceProgress(started: number): (run: CadenceRun, done: number, total: number) => void {
  let lastPrinted = 0;
  return (_run, done, total) => {
    const line = `  cadences: ${done}/${total} enrollments done · ${((Date.now() - started) / 1000).toFixed(0)}s`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(90)}`);
    else if (Date.now() - lastPrinted > 5000 || done === total) {
      process.stderr.write(`${line}\n`);
      lastPrinted = Date.now();
    }
  };
}

/** Runs a daily file task (postcard manifests, hand-off files) for each of the days, and copies the files out. */
async function writeDailyFiles(stack: LocalStack, task: 'postcard-manifest' | 'hand-off-file', days: ReadonlyArray<{ practiceId: string; date: string }>, dir: string): Promise<string[]> {
  const { handler } = task === 'postcard-manifest' ? await import('../lambdas/handlers/postcard-manifest') : await import('../lambdas/handlers/hand-off-file');
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const { practiceId, date } of days) {
    for (const written of await handler({ practiceId, date })) {
      if (written.file) paths.push(await downloadReport(stack, written.file, dir));
    }
  }
  return paths;
}

function printCadence(c: CadenceReport, manifests: readonly string[], seconds: number, transitionsPerEnrollment: number, failed: number): void {
  const n = (x: number) => x.toLocaleString('en-US');
  const byReason = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join(', ') || '—';
  const rows = c.steps.map((s) => `  ${`${s.cadence} r${s.round} ${s.step}`.padEnd(34)} ${s.channel.padEnd(9)} sent ${String(s.sent).padStart(4)}   skipped: ${byReason(s.skipped)}${s.failed ? `   failed ${s.failed}` : ''}${s.unconfirmed ? `   unconfirmed ${s.unconfirmed}` : ''}`);
  console.log(`
Cadences — ${n(c.enrollments)} enrollment(s) in ${seconds.toFixed(1)}s (${transitionsPerEnrollment.toFixed(1)} state transitions each)
${rows.join('\n')}
  sent           ${byReason(c.sent)}
  skipped        ${byReason(c.skipped)}
  A/B variants   ${byReason(c.variants)}
  enrollments    ${byReason(c.enrollmentStatus)}${Object.keys(c.stopReasons).length ? ` (stopped: ${byReason(c.stopReasons)})` : ''}${failed ? `   FAILED executions ${failed}` : ''}
  window violations ${c.windowViolations}   duplicate sends ${c.duplicateSends}${manifests.length ? `\n  postcard manifests ${manifests.join(', ')}` : ''}`);
}

/** The (practice, local date) days hand-offs were recorded on. */
async function handOffDays(config: StageConfig): Promise<Array<{ practiceId: string; date: string }>> {
  const days = new Set((await scanItems(LOCAL_NAMES.table, '')).map((i) => String(i.pk)).filter((pk) => /#HANDOFF#/.test(pk)));
  return [...days].sort().map((pk) => ({ practiceId: pk.split('#')[1]!, date: pk.split('#HANDOFF#')[1]! })).filter((d) => config.practices.some((p) => p.id === d.practiceId));
}

function printMonth(d: DispositionCounts, a: AppointmentCounts, month: MonthRun, handOffFiles: readonly string[]): void {
  const list = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—';
  console.log(`
The month's calls and appointments
  calls ended    ${month.desk.answered.length} (${list(count(month.desk.answered.map((c) => c.kind)))})
  dispositions   ${list(d.byCode)}${d.flagged ? `   (${d.flagged} flagged for staff)` : ''}
  appointments   booked ${a.booked}, confirmed ${a.confirmed}, reminded ${a.reminded} (${a.reminders} reminders), no-show ${a.noShow}, seen ${a.seen}, cancelled ${a.cancelled}
  review requests ${a.reviewRequests}
  desk texts     ${list(a.texts)}
  schedules fired ${month.fired.length} (${list(count(month.fired.map((f) => f.job)))})   visits reported ${month.practiceChanges.length} (${list(count(month.practiceChanges.map((c) => c.change)))})
  later enrollments ${month.followUps} (follow-ups after a visit, new tries after a refusal)${handOffFiles.length ? `\n  hand-off files ${handOffFiles.join(', ')}` : ''}`);
}

function printReplies(r: ReplyCounts): void {
  const list = (x: Record<string, number>) =>
    Object.entries(x)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—';
  console.log(`
Replies and deliveries
  replies        ${list(r.repliesByKind)}   flagged for staff ${r.flaggedReplies}
  opt-outs       ${list(r.optOuts)}   messages after an opt-out ${r.messagesAfterOptOut}
  delivery       ${list(r.deliveryByStatus)}`);
}

/** The report the deployed system writes (reports/<practice>/…), over everything the run did, copied out; its path. */
async function writeOutreachReport(stack: LocalStack, practiceId: string, dir: string): Promise<string> {
  const { handler } = await import('../lambdas/handlers/outreach-report');
  // The month and the campaigns' year ran on virtual clocks ahead of today: the report covers them all.
  const until = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
  const [written] = await handler({ practiceId, periods: ['all'], date: until });
  return downloadReport(stack, written!.html, dir);
}

function printRuns(r: ConfiguredRuns, seconds: number): void {
  const list = (x: Record<string, number>) =>
    Object.entries(x)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '—';
  const line = (name: string, t: RunTotals) => `  ${name.padEnd(22)} ${t.runs} run(s): members ${t.members}, sent ${t.sent}, failed ${t.failed}, still queued ${t.queued}; skipped: ${list(t.skipped)}`;
  console.log(`
Broadcasts and campaigns (${seconds.toFixed(1)}s)${r.failedRuns ? `   FAILED runs ${r.failedRuns}` : ''}
${[...Object.entries(r.broadcasts).map(([n, t]) => line(n, t)), ...Object.entries(r.campaigns).map(([n, t]) => line(n, t))].join('\n') || '  none in the config'}`);
}

function count(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

async function printTimeline(practiceId: string, who: string): Promise<void> {
  const timeline = await contactTimeline(practiceId, who, LOCAL_NAMES.table);
  if (!timeline) {
    console.log(`\nNo contact "${who}" in practice ${practiceId} (give a contact id c_… or the file's external id).`);
    return;
  }
  console.log(`\nTimeline of ${timeline.contactId}`);
  for (const e of timeline.entries) console.log(`  ${e.at}  ${e.what}`);
}

async function writeReport(path: string | undefined, report: object): Promise<void> {
  if (!path) return;
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(resolve(path), `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`Report written to ${resolve(path)}\n`);
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`Failed: ${e.message}`);
    process.exit(1);
  },
);
