/** What the benchmark parent and its import worker say to each other over the IPC channel. */
import type { OperationStats, SandboxOptions } from '../sandbox/types';
import type { LookupTimeline } from './lookup-timeline';
import type { ImportPhase, NumberCounts, RowCounts } from '../../lambdas/domain/import-run';

/** The worker's only argument, as JSON. */
export interface WorkerSpec {
  readonly label: string;
  readonly file: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly practiceId: string;
  readonly sandbox: SandboxOptions;
  /** How often the worker reports progress. */
  readonly progressEveryMs: number;
  /** Also read the sandbox's records of every lookup and report their timeline. */
  readonly lookupTimeline?: boolean;
}

export interface ProgressMessage {
  readonly type: 'progress';
  readonly elapsedSeconds: number;
  readonly phase: ImportPhase | 'starting' | 'uploading';
  readonly rowsRead: number;
  readonly uniqueNumbers: number;
  readonly lookups: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

/** One memory sample of the worker during the workflow. */
export interface MemorySample {
  readonly seconds: number;
  readonly phase: ImportPhase | 'unknown';
  readonly rowsRead: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

/** A handler's invocations: how many, and when the first began and the last ended (seconds since workflow start). */
export interface StepTiming {
  readonly invocations: number;
  readonly firstStart: number;
  readonly lastEnd: number;
}

export interface WorkerResult {
  readonly type: 'result';
  readonly label: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly cause?: string;
  readonly importId?: string;
  readonly rowCounts?: RowCounts;
  readonly numberCounts?: NumberCounts;
  readonly seconds: {
    /** Engines started and resources created. */
    readonly startup: number;
    /** The file streamed into the local S3 inbox. */
    readonly upload: number;
    /** The whole workflow, BeginImport to FinishImport. */
    readonly workflow: number;
    /** Workflow start until the last ImportRows invocation returned: the row phase. */
    readonly rows: number;
    /** First ValidateNumbers start until the last one returned: the numbers phase. */
    readonly numbers: number;
    readonly finish: number;
  };
  readonly steps: Readonly<Record<string, StepTiming>>;
  readonly transitions: number;
  readonly memory: {
    /** process.resourceUsage().maxRSS at the end: the worker's high-water mark, upload included. */
    readonly maxRssMb: number;
    readonly rssAfterStartupMb: number;
    readonly rssAfterUploadMb: number;
    /** Highest sampled RSS while the workflow ran (every 250 ms). */
    readonly peakSampledWorkflowRssMb: number;
    readonly samples: readonly MemorySample[];
  };
  /** Peak RSS (VmHWM) and CPU seconds (user + system) of each engine process, where /proc has them. */
  readonly engines: ReadonlyArray<{ readonly name: string; readonly peakRssMb?: number; readonly cpuSeconds?: number }>;
  /** The worker's own CPU seconds (user + system) over the workflow alone, and over its whole life. */
  readonly cpuSeconds: { readonly workflow: number; readonly total: number };
  /** 1-minute load average when the workflow started and when it ended (others' work shows here). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly lookupTimeline?: LookupTimeline;
  /** The sandbox's PhoneNumberValidate statistics at the end. */
  readonly phoneNumberValidate?: OperationStats;
}

export interface WorkerFailure {
  readonly type: 'error';
  readonly message: string;
}

export type WorkerMessage = ProgressMessage | WorkerResult | WorkerFailure;
