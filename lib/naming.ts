/**
 * Names that are part of the deployment's contract: stack names, physical names ops and
 * alarms look things up by, the S3 prefixes the runtime reads and writes, and the log
 * group name patterns the data key lets CloudWatch Logs encrypt for.
 * One module so a rename happens in one place.
 */

/** `Outreach-<stage>-<part>`, e.g. `Outreach-dev-Data`. */
export function stackName(stage: string, part: string): string {
  return `Outreach-${stage}-${part}`;
}

/** `outreach-<stage>-<name>`: the physical name of a function, state machine, bus or alias. */
export function resourceName(stage: string, name: string): string {
  return `outreach-${stage}-${name}`;
}

/** `alias/outreach-<stage>`: the stage's customer-managed key. */
export function keyAlias(stage: string): string {
  return `alias/outreach-${stage}`;
}

/** `outreach-<stage>`: the stage's own event bus. */
export function eventBusName(stage: string): string {
  return `outreach-${stage}`;
}

/** Where practices drop import files: `inbox/<practice-id>/<file>`. Only these keys start an import. */
export const IMPORT_INBOX_PREFIX = 'inbox/';

/** Where import summaries and rejected-row reports are written in the reports bucket. */
export const IMPORT_REPORTS_PREFIX = 'imports/';

/** Where practices drop do-not-call lists in the import bucket: `do-not-call/<practice-id>/<file>`. */
export const DO_NOT_CALL_PREFIX = 'do-not-call/';
/** Where the daily postcard manifests are written in the reports bucket. */
export const POSTCARD_MANIFEST_PREFIX = 'postcards/';
/** Where practices drop appointment-changes files in the import bucket (`appointments/<practice-id>/<file>`), and where their results go in the reports bucket. */
export const APPOINTMENT_CHANGES_PREFIX = 'appointments/';
/** Where Connect instances the ContactCenter stack creates keep call recordings and chat transcripts in the reports bucket. */
export const CONNECT_RECORDINGS_PREFIX = 'connect/';
/** Where the daily digests of flags staff have not handled are written in the reports bucket. */
export const FLAG_DIGEST_PREFIX = 'digests/';
/** Where the daily scheduling hand-off files are written in the reports bucket. */
export const HAND_OFF_PREFIX = 'handoffs/';

/** Lambda log group of a function with an explicit name (the name Lambda itself would pick). */
export function lambdaLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/**
 * Step Functions log groups live under /aws/vendedlogs/ so CloudWatch Logs keeps one
 * account-wide resource policy for them instead of one statement per log group.
 */
export function stateMachineLogGroupName(stateMachineName: string): string {
  return `/aws/vendedlogs/states/${stateMachineName}`;
}

/**
 * Where Amazon Connect writes an instance's contact flow logs: a name Connect fixes from the
 * instance alias (it creates the group itself, unencrypted and kept forever, unless it exists).
 */
export function connectFlowLogGroupName(instanceAlias: string): string {
  return `/aws/connect/${instanceAlias}`;
}

/**
 * The log group names of one stage, as patterns: the data key encrypts these and no others.
 * The flow-log groups of the Connect instances the stage creates are named by their alias,
 * not by the stage, so each is listed by name.
 */
export function stageLogGroupPatterns(stage: string, createdConnectInstanceAliases: readonly string[]): string[] {
  return [
    lambdaLogGroupName(resourceName(stage, '*')),
    stateMachineLogGroupName(resourceName(stage, '*')),
    ...createdConnectInstanceAliases.map(connectFlowLogGroupName),
  ];
}

/**
 * Physical names of resources the outreach stack's dashboard and alarms address by name: their
 * stacks deploy after it (import, contact center), so it cannot refer to them.
 */
export function importWorkflowName(stage: string): string {
  return resourceName(stage, 'import');
}
export function importTriggerDeadLetterQueueName(stage: string): string {
  return resourceName(stage, 'import-trigger-dlq');
}
export function createdInstanceEventsDeadLetterQueueName(stage: string): string {
  return resourceName(stage, 'connect-events-dlq');
}
/** Where the outreach reports are written in the reports bucket: `reports/<practice>/<daily|weekly|all>/<name>.csv|.html`. */
export const OUTREACH_REPORTS_PREFIX = 'reports/';
/** Where exports (the replies of a date range, with their text) are written in the reports bucket: `exports/<practice>/replies-<from>-<to>.csv`. */
export const EXPORTS_PREFIX = 'exports/';
