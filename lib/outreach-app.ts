/**
 * Builds one stage of Patient Outreach into a CDK app: the stage config is read and
 * validated here (a bad config fails synth naming every problem), the stacks are created
 * in dependency order, and cdk-nag checks the result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tags, type App } from 'aws-cdk-lib';
import { parseStageConfig, type StageConfig } from '../lambdas/domain/stage-config';
import { enableComplianceChecks } from './compliance';
import { ContactCenterStack } from './contact-center-stack';
import { DataStack } from './data-stack';
import { ImportStack } from './import-stack';
import { MessagingStack } from './messaging-stack';
import { stackName } from './naming';
import { OutreachStack } from './outreach-stack';

/** Context key that names the stage config file (`cdk synth -c stageConfig=path/to/stage.json`). */
export const STAGE_CONFIG_CONTEXT = 'stageConfig';

export interface OutreachStacks {
  readonly data: DataStack;
  /** Only when a practice has a contact center. */
  readonly contactCenter?: ContactCenterStack;
  readonly import: ImportStack;
  readonly messaging: MessagingStack;
  readonly outreach: OutreachStack;
}

/** Reads and validates a stage config file; every error names the file and what is wrong. */
export function loadStageConfig(configPath: string): StageConfig {
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read stage config ${configPath}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`Stage config ${configPath} is not valid JSON: ${(error as Error).message}`);
  }
  return parseStageConfig(json, `stage config ${configPath}`);
}

/** The stage config file named by the app's context, as an absolute path. */
export function stageConfigPathFromContext(app: App): string {
  const value: unknown = app.node.tryGetContext(STAGE_CONFIG_CONTEXT);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`No stage config: pass its path with -c ${STAGE_CONFIG_CONTEXT}=path/to/stage.json (or set it in cdk.json)`);
  }
  return path.resolve(value);
}

/** Adds the stacks of one stage to `app` and turns on cdk-nag for the whole app. */
export function buildOutreachApp(app: App, config: StageConfig, configPath: string): OutreachStacks {
  const env = { account: config.env.account, region: config.env.region };
  Tags.of(app).add('Project', 'patient-outreach');
  Tags.of(app).add('Stage', config.stage);

  const dataName = stackName(config.stage, 'Data');
  const data = new DataStack(app, dataName, {
    stackName: dataName,
    env,
    description: `Patient Outreach ${config.stage}: tracker table, buckets, key and event bus (stateful)`,
    terminationProtection: config.retainData,
    config,
  });

  const messagingName = stackName(config.stage, 'Messaging');
  const messaging = new MessagingStack(app, messagingName, {
    stackName: messagingName,
    env,
    description: `Patient Outreach ${config.stage}: End User Messaging topics, configuration set, opt-out list and numbers`,
    config,
    key: data.key,
  });
  messaging.addStackDependency(data, 'the messaging topics are encrypted with the data stack key, whose policy lets End User Messaging use it');

  const outreachName = stackName(config.stage, 'Outreach');
  const outreach = new OutreachStack(app, outreachName, {
    stackName: outreachName,
    env,
    description: `Patient Outreach ${config.stage}: cadence workflow and its functions, broadcast and campaign runs, dispositions and the appointment desk, daily postcard and hand-off files, do-not-call import`,
    config,
    stageConfigFile: path.resolve(configPath),
    key: data.key,
    trackerTable: data.trackerTable,
    importBucket: data.importBucket,
    reportsBucket: data.reportsBucket,
    eventBus: data.eventBus,
    messaging,
  });
  outreach.addStackDependency(data, 'the cadence functions read and write the data stack resources');
  outreach.addStackDependency(messaging, 'the senders use the messaging stack numbers and configuration set');

  // Amazon Connect for the practices that have a contact center, deployed after the outreach
  // stack: its flows invoke record-disposition, which must exist before Connect may be let call it.
  let contactCenter: ContactCenterStack | undefined;
  if (config.practices.some((p) => p.contactCenter)) {
    const contactCenterName = stackName(config.stage, 'ContactCenter');
    contactCenter = new ContactCenterStack(app, contactCenterName, {
      stackName: contactCenterName,
      env,
      description: `Patient Outreach ${config.stage}: Amazon Connect instances, hours, queues, numbers, contact flows and the caller lookup`,
      config,
      stageConfigFile: path.resolve(configPath),
      key: data.key,
      trackerTable: data.trackerTable,
      reportsBucket: data.reportsBucket,
      callers: {
        // run-send leaves voicemails through Connect like drop-voicemail does.
        startCalls: [outreach.cadenceFunctions.QueueAgentCall.role, outreach.cadenceFunctions.DropVoicemail.role, outreach.runs.taskFunctions.SendDue.role, outreach.appointmentDesk.placeCallback.role],
        ...(outreach.recordDispositionFunction ? { recordDisposition: { role: outreach.recordDispositionFunction.role, functionArn: outreach.recordDispositionFunction.functionArn } } : {}),
      },
    });
    contactCenter.addStackDependency(data, 'the caller lookup reads the tracker; recordings go to the reports bucket with the stage key');
    contactCenter.addStackDependency(outreach, 'the flows invoke the outreach stack\'s record-disposition function, associated with the instance here');
  }


  // The import's enroll step starts cadence executions, so the cadence workflow lives in a
  // stack the import stack depends on (one direction only: nothing in outreach refers to import).
  const importName = stackName(config.stage, 'Import');
  const importStack = new ImportStack(app, importName, {
    stackName: importName,
    env,
    description: `Patient Outreach ${config.stage}: monthly import workflow and its functions`,
    config,
    stageConfigFile: path.resolve(configPath),
    key: data.key,
    trackerTable: data.trackerTable,
    importBucket: data.importBucket,
    reportsBucket: data.reportsBucket,
    eventBus: data.eventBus,
    cadenceStateMachine: outreach.cadenceStateMachine,
  });
  importStack.addStackDependency(data, 'the import workflow reads and writes the data stack resources');
  importStack.addStackDependency(outreach, 'the enroll step starts executions of the cadence workflow');

  enableComplianceChecks(app);
  return { data, ...(contactCenter ? { contactCenter } : {}), import: importStack, messaging, outreach };
}
