/** What the benchmark parent and its import worker say to each other over the IPC channel. */
import type { OperationStats, SandboxOptions } from '../sandbox/types';
import type { LookupTimeline } from './lookup-timeline';
import type { EnrollCounts, ImportPhase, NumberCounts, RowCounts } from '../../lambdas/domain/import-run';
import type { DynamoCounts } from './dynamo-counter';

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
  /**
   * Stop when the run reaches the enrollment phase: EnrollContacts and FinishImport are
   * replaced by stand-ins that do nothing, so the run stays in phase `enrolling` for the
   * enrollment worker (enroll-worker.ts) to enroll in a process of its own.
   */
  readonly stopBeforeEnrollment?: boolean;
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
  /** The import execution's id (the run's owner), as the handlers were given it. */
  readonly executionId?: string;
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

/** enroll-worker.ts's argument: an import left in phase `enrolling` by an import worker with stopBeforeEnrollment. */
export interface EnrollWorkerSpec {
  readonly label: string;
  /** The import worker's state directory (the tracker's LevelDB and the buckets). */
  readonly stateDir: string;
  readonly configPath: string;
  readonly importId: string;
  /** The import execution that owns the run. */
  readonly executionId: string;
  readonly sandbox: SandboxOptions;
  readonly progressEveryMs: number;
  /** Also count the table's items before and after (a Scan each: slow on a big table). */
  readonly countTableItems?: boolean;
}

export interface EnrollProgressMessage {
  readonly type: 'enroll-progress';
  readonly elapsedSeconds: number;
  readonly enrolled: number;
  readonly rssMb: number;
}

export interface EnrollWorkerResult {
  readonly type: 'result';
  readonly label: string;
  /** The import run's state when enrollment ended (`finishing` when it completed). */
  readonly phase?: ImportPhase;
  /** EnrollContacts invocations until one answered done (each a Lambda invocation). */
  readonly invocations: number;
  /** Enrolled, summed over the invocations' answers. */
  readonly enrolledByHandler: number;
  /** The run's enrollment counters as the tracker holds them. */
  readonly enrollCounts?: EnrollCounts;
  /** Contacts the enroller decided about: enrolled plus every not-enrolled reason (the import's touched contacts). */
  readonly contacts: number;
  /** Wall seconds from the first invocation's start to the last one's end. */
  readonly seconds: number;
  readonly startupSeconds: number;
  /** `executions` records in the sandbox: executions StartExecution started. */
  readonly executionsStarted: number;
  /** StartExecution calls the sandbox answered or refused (idempotent replays included). */
  readonly startExecutionCalls: number;
  readonly startExecutionThrottled: number;
  readonly dynamo: DynamoCounts;
  /** Items the table gained during the enrollment (Scan counts before and after), when asked for. */
  readonly tableItemsAdded?: number;
  readonly memory: {
    /** The worker's high-water mark: startup and the enrollment, nothing else ran in it. */
    readonly maxRssMb: number;
    readonly rssAfterStartupMb: number;
    /** Highest RSS sampled (every 250 ms) while the enroller ran. */
    readonly peakSampledRssMb: number;
  };
  readonly engines: ReadonlyArray<{ readonly name: string; readonly peakRssMb?: number; readonly cpuSeconds?: number }>;
  /** The worker's CPU seconds over the enrollment alone. */
  readonly cpuSeconds: number;
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** cadence-worker.ts's argument. */
export interface CadenceWorkerSpec {
  /** `sender`: texts paced against the sandbox; `transitions`: the sample import's cadences, counted. */
  readonly mode: 'sender' | 'transitions';
  readonly label: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly practiceId: string;
  /** The file to import. */
  readonly file: string;
  readonly sandbox: SandboxOptions;
  /** Executions run at once (runCadences' concurrency). */
  readonly concurrency?: number;
  /** Sender: the cadence whose executions are run (the others, if any, are left alone). */
  readonly cadence?: string;
}

/** Lambda invocations of the cadence workflow's handlers, by Task state. */
export type InvocationCounts = Record<string, number>;

export interface CadenceImportFigures {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly created: number;
  readonly enrolled: number;
  readonly seconds: number;
}

/** How late the pacer's wakers were for their reserved send times (the pacer gives a slot up when later than its tolerance, 15 ms). */
export interface PacerWaits {
  readonly waits: number;
  /** Wakers later than the tolerance: their slot went unused and the step was re-planned. */
  readonly missed: number;
  readonly lateMsMedian: number;
  readonly lateMsP90: number;
  readonly lateMsMax: number;
  /** When each slot was missed: seconds after the first text reached the sandbox (negative: before it). */
  readonly missedAtSeconds: readonly number[];
}

/** The worker's event-loop delay while the cadences ran (perf_hooks.monitorEventLoopDelay), ms. */
export interface EventLoopDelay {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface SenderWorkerResult {
  readonly type: 'result';
  readonly mode: 'sender';
  readonly label: string;
  readonly import: CadenceImportFigures;
  readonly identity: string;
  readonly messagesPerSecond: number;
  /** The virtual clock every execution started on: a daytime instant when the recipients' send window is open. */
  readonly clockStart: string;
  readonly sendWindowOpenAtStart: boolean;
  readonly executions: number;
  readonly failedExecutions: number;
  readonly failures: readonly string[];
  /** `texts` records the sandbox kept (accepted messages). */
  readonly texts: number;
  /** Arrival of the first and last text at the sandbox (its record times), ISO. */
  readonly firstAt?: string;
  readonly lastAt?: string;
  readonly spanSeconds: number;
  /** Texts per attempt key beyond the first, summed; and texts that carried no attempt key. */
  readonly duplicates: number;
  readonly withoutAttemptKey: number;
  /** The sandbox's pacing statistics for the identity. */
  readonly identityStats?: { readonly messages: number; readonly maxPerSecond: number; readonly throttled: number };
  /** Gaps between consecutive texts at the sandbox, ms. */
  readonly gapsMs: { readonly min: number; readonly p1: number; readonly median: number; readonly p99: number; readonly max: number };
  /** What SendSms answered (its decision's action): sent, pace (waits in the workflow), replan (e.g. woke too late for its slot), duplicate… */
  /** Seconds until every execution had reached its first task (the local runner builds each state machine first); none ran a task before. */
  readonly startBarrierSeconds: number;
  readonly sendSmsOutcomes: Record<string, number>;
  readonly pacerWaits: PacerWaits;
  readonly eventLoopDelayMs: EventLoopDelay;
  readonly invocations: InvocationCounts;
  readonly handlerErrors: InvocationCounts;
  readonly transitions: number;
  /** Wall seconds of runCadences. */
  readonly cadenceSeconds: number;
  readonly cpuSeconds: number;
  readonly loadAverage: { readonly start: number; readonly end: number };
}

export interface TransitionsWorkerResult {
  readonly type: 'result';
  readonly mode: 'transitions';
  readonly label: string;
  readonly import: CadenceImportFigures;
  readonly cadence: string;
  readonly rounds: number;
  readonly enrollments: number;
  readonly failedExecutions: number;
  /** States entered, summed over the cadence's executions. */
  readonly transitions: number;
  readonly invocations: InvocationCounts;
  readonly handlerErrors: InvocationCounts;
  readonly sent: Record<string, number>;
  readonly skipped: Record<string, number>;
  readonly duplicateSends: number;
  readonly windowViolations: number;
  readonly cadenceSeconds: number;
}

export type CadenceWorkerResult = SenderWorkerResult | TransitionsWorkerResult;

/** disposition-worker.ts's answer. */
export interface DispositionWorkerResult {
  readonly type: 'result';
  readonly people: number;
  readonly concurrency: number;
  readonly dispositions: number;
  /** The agents' mix. */
  readonly byCode: Record<string, number>;
  /** record-disposition's answers on the first delivery. */
  readonly outcomes: Record<string, number>;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU seconds of the worker over the first delivery (handlers and SDK clients; the engines run apart). */
  readonly cpuSeconds: number;
  readonly booked: number;
  /** Scheduler calls for the booked appointments (reminders, a confirmation held back), by change. */
  readonly schedulerCallsAtBooking: Record<string, number>;
  readonly schedulerCallsPerBooking: number;
  /** Scheduler calls when each booked visit is moved a week and then marked seen, by change. */
  readonly schedulerCallsOverLife: Record<string, number>;
  /** Booking, move and "seen" together, per appointment. */
  readonly schedulerCallsPerAppointmentLife: number;
  /** Other schedules of the first delivery (call-backs, new tries, practice information held back). */
  readonly schedulerCallsOther: number;
  readonly texts: number;
  /** Every event delivered a second time. */
  readonly duplicates: { readonly outcomes: Record<string, number>; readonly newTexts: number; readonly newSchedulerCalls: number };
  readonly maxRssMb: number;
}

/** segment-worker.ts's argument. */
export interface SegmentWorkerSpec {
  /** `segments`: Roster.evaluate over generated roster cards; `broadcast`: one broadcast to imported mobiles. */
  readonly mode: 'segments' | 'broadcast';
  readonly label: string;
  readonly stateDir: string;
  readonly configPath: string;
  readonly practiceId: string;
  readonly sandbox: SandboxOptions;
  /** segments: roster cards written for practiceId. */
  readonly contacts?: number;
  /** broadcast: the mobiles file to import. */
  readonly file?: string;
}

/** One segment evaluated over the roster. */
export interface SegmentEvaluation {
  readonly name: string;
  readonly filter: object;
  /** Wall seconds of Roster.evaluate (16 shards queried at once). */
  readonly seconds: number;
  readonly members: number;
  /** Members by inSegment over the generated cards before they were written. */
  readonly expectedMembers: number;
  /** Cards the evaluation read. */
  readonly cards: number;
  /** DynamoDB read request units (eventually consistent Query). */
  readonly readUnits: number;
  readonly readUnitsSource: string;
  /** readUnits at the on-demand price (see the result's `price`). */
  readonly costUsd: number;
  /** 1-minute load average before and after: above the CPU count, others competed for the machine. */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** What a full-table Scan of a tracker holding the same people would read: an estimate. */
export interface ScanEstimate {
  readonly estimate: true;
  readonly bytes: number;
  readonly readUnits: number;
  readonly costUsd: number;
  readonly assumptions: readonly string[];
}

export interface SegmentsWorkerResult {
  readonly type: 'result';
  readonly mode: 'segments';
  readonly label: string;
  readonly contacts: number;
  /** Generated cards tagged `patient`. */
  readonly patients: number;
  /** The practice-local day segments were evaluated on (generated dates count back from it). */
  readonly evaluatedOn: string;
  readonly averageCardBytes: number;
  /** Writing the cards with BatchWriteItem (not part of any evaluation). */
  readonly load: { readonly seconds: number; readonly itemsPerSec: number };
  readonly evaluations: readonly SegmentEvaluation[];
  readonly price: { readonly usdPerMillionReadUnits: number; readonly note: string };
  /** What samples/prospects.csv left in the tracker, measured by a Scan after its import. */
  readonly sample: {
    readonly contacts: number;
    readonly profileBytes: number;
    readonly itemsPerContact: number;
    readonly bytesPerContact: number;
    /** Items with a TTL (the import's work items), left out of the figures above. */
    readonly temporaryItems: number;
    /** The lasting items by key shape ("PRACTICE#CONTACT HISTORY"). */
    readonly itemsByKind: Record<string, number>;
  };
  readonly fullScan: ScanEstimate;
  readonly maxRssMb: number;
}

export interface BroadcastWorkerResult {
  readonly type: 'result';
  readonly mode: 'broadcast';
  readonly label: string;
  readonly import: { readonly status: 'SUCCEEDED' | 'FAILED'; readonly created: number; readonly seconds: number; readonly error?: string };
  readonly identity: string;
  readonly messagesPerSecond: number;
  /** The virtual start (a weekday 10:00 in the practice's zone) and whether the recipients' window was open there. */
  readonly clockStart: string;
  readonly sendWindowOpenAtStart: boolean;
  readonly startAnswer: string;
  /** The run workflow executions started, and how they ended. */
  readonly executions: readonly string[];
  /** Wall seconds of the run workflow (plan and send). */
  readonly runSeconds: number;
  /** The run's counts (RunLedger.getRun). */
  readonly run: { readonly status: string; readonly members: number; readonly queued: number; readonly sent: number; readonly failed: number; readonly skipped: Record<string, number> };
  /** `texts` records from the identity, their first and last arrival, and the most in any 1-second window (t − 1 s, t]. */
  readonly texts: number;
  readonly firstAt?: string;
  readonly lastAt?: string;
  readonly spanSeconds: number;
  readonly maxPerSecond: number;
  /** Gaps between consecutive texts at the sandbox, ms (at the allowed rate: 1000 / rate). */
  readonly gapsMs: { readonly min: number; readonly median: number; readonly p90: number; readonly max: number };
  /** Texts to a destination beyond the first, summed. */
  readonly duplicates: number;
}
