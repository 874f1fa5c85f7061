/** The benchmark's results file and the table printed at the end. */
import type { LookupTimeline } from './lookup-timeline';
import type { MemorySample } from './protocol';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly memoryGb: number;
  readonly platform: string;
  readonly arch: string;
}

export interface ImportBenchResult {
  readonly rows: number;
  /** Rows per second of the row phase (workflow start until the last ImportRows returned). */
  readonly rowsPerSec: number;
  /** The worker's maxRSS (process.resourceUsage), engines excluded: they are other processes. */
  readonly peakRssMb: number;
  /** Seconds of the row phase. */
  readonly seconds: number;
  readonly created: number;
  readonly rejected: number;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly rowsRead: number;
  readonly duplicates: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly warnings: number;
  /** In the generated file: rows written to be rejected and rows repeating an earlier person. */
  readonly expected: { readonly rejected: number; readonly duplicates: number };
  readonly fileMb: number;
  readonly rowsPerInvocation: number;
  readonly rowInvocations: number;
  readonly numberInvocations: number;
  readonly uniqueNumbers: number;
  readonly lookups: number;
  readonly numbersSeconds: number;
  /** The whole workflow: rows, numbers and the summary. */
  readonly totalSeconds: number;
  readonly startupSeconds: number;
  readonly uploadSeconds: number;
  readonly rssAfterStartupMb: number;
  readonly rssAfterUploadMb: number;
  /** Highest RSS sampled (every 250 ms) while the workflow ran: maxRSS without the upload. */
  readonly peakSampledWorkflowRssMb: number;
  readonly enginesPeakRssMb: Readonly<Record<string, number | undefined>>;
  /** CPU seconds: the importer over the workflow, each engine over its life (startup included). */
  readonly cpuSeconds: Readonly<Record<string, number | undefined>>;
  /** Importer CPU milliseconds per row over the whole workflow: steadier than rows/s on a shared machine. */
  readonly importerCpuMsPerRow: number;
  /** 1-minute load average at the workflow's start and end: anything above ~2 on 2 CPUs means others competed. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly memorySamples: readonly MemorySample[];
}

export interface ValidationBenchResult {
  readonly name: string;
  readonly latencyMs: number;
  readonly limitPerSec: number;
  /** Phone numbers in the file (one per row). */
  readonly numbers: number;
  readonly uniqueNumbers: number;
  readonly lookups: number;
  /** lookups / seconds of the numbers phase. */
  readonly achievedPerSec: number;
  readonly percentOfLimit: number;
  readonly throttled: number;
  readonly maxPerSecondSeen: number;
  readonly seconds: number;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly sandboxCalls: number;
  readonly cacheHits: number;
  readonly lookupFailures: number;
  readonly numberInvocations: number;
  readonly peakRssMb: number;
  readonly loadAverage: { readonly start: number; readonly end: number };
  /** The calls as the sandbox saw them: pauses between pages of the work list show here. */
  readonly lookupTimeline?: LookupTimeline;
}

export interface BenchResults {
  readonly machine: MachineInfo;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly totalSeconds: number;
  readonly quick: boolean;
  /** How each import was run. */
  readonly worker: string;
  readonly import: ImportBenchResult[];
  readonly validation: ValidationBenchResult[];
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [headers.map(String), ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function formatResults(results: BenchResults): string {
  const m = results.machine;
  const out: string[] = [];
  out.push(`Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node} (${m.platform}/${m.arch})`);
  out.push('');
  out.push('Import (row phase; importer process only — engines run in their own processes)');
  out.push(
    table(
      ['rows', 'rows/s', 'row s', 'peak RSS MB', 'workflow RSS MB', 'created', 'dupl.', 'rejected', 'invocations', 'lookups', 'total s', 'CPU s imp/ddb', 'dynalite MB', 'load', 'status'],
      results.import.map((r) => [
        r.rows,
        round(r.rowsPerSec, 0),
        round(r.seconds),
        round(r.peakRssMb, 0),
        round(r.peakSampledWorkflowRssMb, 0),
        r.created,
        r.duplicates,
        r.rejected,
        `${r.rowInvocations}+${r.numberInvocations}`,
        r.lookups,
        round(r.totalSeconds),
        `${round(r.cpuSeconds.importer ?? 0, 0)}/${r.cpuSeconds.dynamodb === undefined ? '?' : round(r.cpuSeconds.dynamodb, 0)}`,
        r.enginesPeakRssMb.dynamodb === undefined ? '?' : round(r.enginesPeakRssMb.dynamodb, 0),
        `${r.loadAverage.start}→${r.loadAverage.end}`,
        r.status,
      ]),
    ),
  );
  out.push('');
  out.push('Number validation (sandbox latency and rate limit; numbers phase)');
  out.push(
    table(
      ['run', 'latency ms', 'limit/s', 'numbers', 'unique', 'lookups', 'achieved/s', '% of limit', 'throttled', 'max/s seen', 'seconds', 'load', 'status'],
      results.validation.map((v) => [
        v.name,
        v.latencyMs,
        v.limitPerSec,
        v.numbers,
        v.uniqueNumbers,
        v.lookups,
        round(v.achievedPerSec),
        `${round(v.percentOfLimit)}%`,
        v.throttled,
        v.maxPerSecondSeen,
        round(v.seconds),
        `${v.loadAverage.start}→${v.loadAverage.end}`,
        v.status,
      ]),
    ),
  );
  return out.join('\n');
}
