/** A temporary stage config for a benchmark run: the sample config with the knobs the run needs. */
import { readFile, writeFile } from 'node:fs/promises';
import { parseStageConfig, type StageConfig } from '../../lambdas/domain/stage-config';

export interface BenchConfigOverrides {
  readonly ratePerSecond: number;
  readonly rowsPerInvocation: number;
  readonly numbersPerInvocation?: number;
  /** enrollment.startsPerSecond: the enroller's StartExecution pace. */
  readonly startsPerSecond?: number;
  /** Any further change, applied last (the result is checked against the schema). */
  readonly transform?: (config: StageConfig) => StageConfig;
}

/** Writes `<path>` from `samplePath` with the overrides applied; checks it against the schema first. */
export async function writeBenchConfig(samplePath: string, path: string, overrides: BenchConfigOverrides): Promise<StageConfig> {
  const sample = parseStageConfig(JSON.parse(await readFile(samplePath, 'utf8')) as unknown, samplePath);
  const config: StageConfig = {
    ...sample,
    import: { ...sample.import, rowsPerInvocation: overrides.rowsPerInvocation },
    validation: {
      ...sample.validation,
      ratePerSecond: overrides.ratePerSecond,
      ...(overrides.numbersPerInvocation !== undefined ? { numbersPerInvocation: overrides.numbersPerInvocation } : {}),
    },
    ...(overrides.startsPerSecond !== undefined ? { enrollment: { ...sample.enrollment, startsPerSecond: overrides.startsPerSecond } } : {}),
  };
  const checked = parseStageConfig(overrides.transform ? overrides.transform(config) : config, path);
  await writeFile(path, `${JSON.stringify(checked, null, 2)}\n`);
  return checked;
}

/** The practice every benchmark file is dropped for (the sample's first). */
export async function firstPracticeId(samplePath: string): Promise<string> {
  const sample = parseStageConfig(JSON.parse(await readFile(samplePath, 'utf8')) as unknown, samplePath);
  return sample.practices[0]!.id;
}

/** The one-step cadence the sender benchmark enrolls everyone in. */
export const SENDER_CADENCE = 'bench-sms-now';

/**
 * The sender benchmark's changes: a one-step SMS cadence due at once (a care text, so the
 * file's SMS consent column is the consent it needs), the default cadence of `practiceId`,
 * whose SMS identity sends at `messagesPerSecond`.
 */
export function senderConfig(practiceId: string, messagesPerSecond: number): (config: StageConfig) => StageConfig {
  return (config) => {
    const template = Object.entries(config.templates).find(([, t]) => t.channel === 'sms' && t.purpose === 'care' && !('kind' in t && t.kind === 'appointment'))?.[0];
    if (!template) throw new Error('the sample config has no SMS care template for the sender benchmark');
    return {
      ...config,
      cadences: [
        ...config.cadences.filter((c) => c.name !== SENDER_CADENCE),
        { name: SENDER_CADENCE, description: 'Benchmark: one text, due at once.', rounds: 1, roundIntervalDays: 30, steps: [{ id: 'sms', channel: 'sms', purpose: 'care', day: 0, template }] },
      ],
      practices: config.practices.map((p) =>
        p.id === practiceId ? { ...p, sms: { ...p.sms, messagesPerSecond }, enrollment: { ...p.enrollment, defaultCadence: SENDER_CADENCE } } : p,
      ),
    } as StageConfig;
  };
}

/** The broadcast benchmark's broadcast, to the segment `everyone`. */
export const BENCH_BROADCAST = 'bench-broadcast';

/**
 * The broadcast benchmark's changes: a segment `everyone` and a broadcast of the SMS care
 * template to it for `practiceId`, whose SMS identity sends at `messagesPerSecond` and whose
 * imports enroll nobody (the run is the only sender). The frequency cap stays the sample's.
 */
export function broadcastConfig(practiceId: string, messagesPerSecond: number): (config: StageConfig) => StageConfig {
  return (config) =>
    ({
      ...config,
      segments: [...config.segments, { name: 'everyone', practice: practiceId, filter: {} }],
      broadcasts: [...config.broadcasts, { name: BENCH_BROADCAST, practice: practiceId, segment: 'everyone', templates: { sms: 'sms-care-gap' } }],
      practices: config.practices.map((p) => (p.id === practiceId ? { ...p, sms: { ...p.sms, messagesPerSecond }, enrollment: { byPrefix: {} } } : p)),
    }) as StageConfig;
}

/**
 * Several row invocations per import, so the checkpoint/resume path runs: about 3.5 of
 * them, in whole batches of 250 rows, at most 100,000 rows each — and never a budget that
 * divides the row count. An invocation whose budget runs out exactly at the end of the file
 * hands back with the cursor at EOF, and the next one asks S3 for `Range: bytes=<size>-`,
 * which S3 (and s3rver) answer with 416 InvalidRange: the import fails. `--rows-per-invocation`
 * overrides this (e.g. `--sizes 1000 --rows-per-invocation 250` shows that failure).
 */
export function rowsPerInvocationFor(rows: number, override: number | undefined): number {
  if (override !== undefined) return override;
  let budget = Math.min(100_000, Math.max(250, Math.ceil(rows / 3.5 / 250) * 250));
  while (rows % budget === 0) budget += 250;
  return budget;
}
