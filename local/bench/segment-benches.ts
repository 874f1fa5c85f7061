/**
 * The segment and broadcast measurements (see local/bench.ts); segment-worker.ts measures, in a
 * process of its own:
 *
 * 7. Segments: Roster.evaluate over N generated roster cards for three segments: seconds,
 *    members, cards and DynamoDB read units, against an estimate of a full-table Scan.
 * 8. Broadcast: M imported mobiles, one broadcast to all of them: texts per second at the
 *    SMS identity's configured rate, the most in any second, duplicates.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SAMPLE_CONFIG } from '../local-stack';
import type { SandboxOptions } from '../sandbox/types';
import { checker, logLines, type BenchContext } from './cadence-benches';
import { generateMobileFile, mobileNumberPool } from './generate';
import { runScript, SEGMENT_WORKER_SCRIPT } from './launch';
import { nf } from './progress';
import type { BroadcastWorkerResult, SegmentsWorkerResult, SegmentWorkerSpec } from './protocol';
import { checksOf, round, type RunChecks } from './report';
import { broadcastConfig, rowsPerInvocationFor, writeBenchConfig } from './stage-config';

export interface SegmentsBenchResult extends Omit<SegmentsWorkerResult, 'type' | 'mode' | 'label'> {
  readonly checks: RunChecks;
}

export interface BroadcastBenchResult extends Omit<BroadcastWorkerResult, 'type' | 'mode' | 'label'> {
  readonly mobiles: number;
  readonly allowedPerSec: number;
  /** (texts − 1) / seconds from the first text's arrival at the sandbox to the last's. */
  readonly achievedPerSec: number;
  readonly percentOfAllowed: number;
  readonly checks: RunChecks;
}

/** Runs `work` in a fresh directory under the benchmark's root, removed afterwards unless --keep. */
async function inWorkDir<T>(ctx: BenchContext, name: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(ctx.root, name);
  await mkdir(dir, { recursive: true });
  try {
    return await work(dir);
  } finally {
    if (!ctx.keep) await rm(dir, { recursive: true, force: true });
  }
}

export async function benchSegments(contacts: number, ctx: BenchContext): Promise<SegmentsBenchResult> {
  const label = `segments ${nf(contacts)}`;
  const check = checker(ctx.checks, label);
  return inWorkDir(ctx, `segments-${contacts}`, async (dir) => {
    console.log(`\n${label}: ${nf(contacts)} generated roster cards for ${ctx.practiceId}, written with BatchWriteItem; three segments evaluated`);
    const spec: SegmentWorkerSpec = { mode: 'segments', label, stateDir: join(dir, 'state'), configPath: SAMPLE_CONFIG, practiceId: ctx.practiceId, sandbox: { latencyMs: 0 }, contacts };
    const { type: _t, mode: _m, label: _l, ...w } = await runScript<SegmentsWorkerResult>(SEGMENT_WORKER_SCRIPT, spec, logLines);
    const [patients] = w.evaluations;
    check(patients?.members === w.patients, `segment patients: ${nf(patients?.members ?? 0)} members, ${nf(w.patients)} cards generated with tag patient`);
    for (const e of w.evaluations) {
      check(e.cards === contacts, `segment ${e.name} read ${nf(e.cards)} cards of ${nf(contacts)}`);
      check(e.members === e.expectedMembers, `segment ${e.name}: ${nf(e.members)} members, the generated cards hold ${nf(e.expectedMembers)}`);
    }
    for (const e of w.evaluations) {
      console.log(`${label}: ${e.name} ${round(e.seconds, 2)} s, ${nf(e.members)} members, ${nf(e.cards)} cards, ${e.readUnits} read units ($${e.costUsd.toFixed(6)})`);
    }
    console.log(
      `${label}: cards ${w.averageCardBytes} bytes on average, written in ${round(w.load.seconds)} s (${nf(w.load.itemsPerSec)}/s); ` +
        `a full Scan would read about ${nf(w.fullScan.readUnits)} units ($${w.fullScan.costUsd.toFixed(4)}, estimate); worker maxRSS ${w.maxRssMb} MB`,
    );
    return { ...w, checks: checksOf(ctx.checks, label) };
  });
}

export async function benchBroadcast(mobiles: number, messagesPerSecond: number, ctx: BenchContext): Promise<BroadcastBenchResult> {
  const label = `broadcast ${nf(mobiles)} at ${messagesPerSecond}/s`;
  const check = checker(ctx.checks, label);
  return inWorkDir(ctx, `broadcast-${mobiles}`, async (dir) => {
    const file = await generateMobileFile(join(dir, `mobiles-${mobiles}.csv`), mobileNumberPool(mobiles, 29), mobiles);
    const configPath = join(dir, 'stage.json');
    await writeBenchConfig(SAMPLE_CONFIG, configPath, { ratePerSecond: 1000, rowsPerInvocation: rowsPerInvocationFor(mobiles, ctx.rowsPerInvocation), transform: broadcastConfig(ctx.practiceId, messagesPerSecond) });
    console.log(`\n${label}: ${nf(mobiles)} mobiles with SMS consent, one broadcast to all; about ${round(mobiles / messagesPerSecond)} s of sending`);
    // No identity limits in the sandbox: the product's pacer is all that holds the identity to its rate.
    const sandbox: SandboxOptions = { latencyMs: { '*': 0, SendTextMessage: 20 } };
    const spec: SegmentWorkerSpec = { mode: 'broadcast', label, stateDir: join(dir, 'state'), configPath, practiceId: ctx.practiceId, sandbox, file: file.path };
    const { type: _t, mode: _m, label: _l, ...w } = await runScript<BroadcastWorkerResult>(SEGMENT_WORKER_SCRIPT, spec, logLines);
    const achieved = w.spanSeconds > 0 ? (w.texts - 1) / w.spanSeconds : 0;
    const percent = round((achieved / w.messagesPerSecond) * 100, 1);
    check(w.import.status === 'SUCCEEDED' && w.import.created === mobiles, `import ${w.import.status}: ${nf(w.import.created)} of ${nf(mobiles)} created`);
    check(w.sendWindowOpenAtStart, `send window open at the virtual start ${w.clockStart}`);
    check(w.executions.length > 0 && w.executions.every((e) => e.endsWith(': SUCCEEDED')), `run executions: ${w.executions.join('; ') || 'none'}`);
    check(w.run.members === mobiles && w.run.sent === mobiles, `run ${w.run.status}: ${nf(w.run.members)} members, ${nf(w.run.sent)} sent of ${nf(mobiles)} (skipped ${JSON.stringify(w.run.skipped)}, failed ${w.run.failed})`);
    check(w.texts === mobiles, `texts at the sandbox ${nf(w.texts)} of ${nf(mobiles)}`);
    check(w.duplicates === 0, `duplicates ${w.duplicates}`);
    check(w.maxPerSecond <= w.messagesPerSecond, `never above the rate: at most ${w.maxPerSecond} texts in any second (allowed ${w.messagesPerSecond})`);
    check(percent >= 90, `achieved ${round(achieved, 2)}/s = ${percent}% of ${w.messagesPerSecond}/s (target ≥ 90%)`, 'target');
    console.log(
      `${label}: ${nf(w.texts)} texts over ${round(w.spanSeconds, 1)} s → ${round(achieved, 2)}/s = ${percent}% of ${w.messagesPerSecond}/s; ` +
        `max ${w.maxPerSecond} in any second; duplicates ${w.duplicates}; gaps ms min ${w.gapsMs.min} median ${w.gapsMs.median} p90 ${w.gapsMs.p90} max ${w.gapsMs.max}; run ${round(w.runSeconds, 1)} s, ${nf(w.run.members)} members, ${nf(w.run.sent)} sent`,
    );
    return { ...w, mobiles, allowedPerSec: w.messagesPerSecond, achievedPerSec: round(achieved, 3), percentOfAllowed: percent, checks: checksOf(ctx.checks, label) };
  });
}
