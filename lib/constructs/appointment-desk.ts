/**
 * The appointment desk's infrastructure: the functions one-time schedules invoke
 * (send-message for texts due later, place-callback for call-backs, resume-outreach for
 * the new try after a refusal), change-appointment fed by the practice's "Appointment Change
 * Requested" events on the outreach bus, and the EventBridge Scheduler group, role and
 * dead-letter queue those schedules use. `equip` gives another function (record-disposition)
 * what booking and scheduling need.
 *
 * The targets' ARNs are built from their fixed names rather than referenced, because the
 * functions that schedule are also targets (send-message schedules its own later texts): a
 * reference would make a function's environment depend on itself.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { APPOINTMENT_CHANGE_REQUESTED } from '../../lambdas/domain/appointment';
import { acknowledge, iamWildcardResourceFinding } from '../compliance';
import { APPOINTMENT_CHANGES_PREFIX, resourceName } from '../naming';
import type { OutreachFunction, OutreachFunctionProps, ScheduleResources, SendingResources } from './outreach-function';
import { objectCreatedUnder } from '../data-stack';

export type MakeFunction = (
  id: string,
  file: string,
  name: string,
  serviceName: string,
  extra: Pick<OutreachFunctionProps, 'timeout' | 'description' | 'deadLetterQueue' | 'memorySize'>,
) => OutreachFunction;

export interface AppointmentDeskProps {
  readonly stage: string;
  readonly key: kms.IKey;
  readonly trackerTable: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly messaging: SendingResources;
  readonly cadenceStateMachine: sfn.IStateMachine;
  /** Practices drop appointment-changes files under appointments/ here. */
  readonly importBucket: s3.IBucket;
  /** What came of each file's rows is written under appointments/ here. */
  readonly reportsBucket: s3.IBucket;
  /** Connect instances call-backs may be placed through (the practices' contact centers). */
  readonly instances: readonly string[];
  readonly makeFunction: MakeFunction;
  readonly deadLetterQueue: (id: string, of: string) => sqs.Queue;
}

export class AppointmentDesk extends Construct {
  public readonly sendMessage: OutreachFunction;
  public readonly placeCallback: OutreachFunction;
  public readonly resumeOutreach: OutreachFunction;
  public readonly changeAppointment: OutreachFunction;
  /** Reads the appointment-changes files practices drop under appointments/<practice-id>/. */
  public readonly appointmentFile: OutreachFunction;
  /** Where one-time schedules live (apart from the daily tasks' group, so functions can touch only these). */
  public readonly scheduleGroup: scheduler.ScheduleGroup;
  /** Schedules Scheduler could not deliver, invocations that failed after Lambda's retries, change events the rule could not deliver. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly schedules: ScheduleResources;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: AppointmentDeskProps,
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    const { stage } = props;
    const functionArn = (name: string) => stack.formatArn({ service: 'lambda', resource: 'function', resourceName: resourceName(stage, name), arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const roleName = resourceName(stage, 'message-scheduler');

    this.deadLetterQueue = props.deadLetterQueue('AppointmentDeadLetterQueue', 'one-time message schedules and the appointment-change rule');
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'MessageScheduleGroup', { scheduleGroupName: resourceName(stage, 'messages') });
    this.schedules = {
      groupName: resourceName(stage, 'messages'),
      roleArn: stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: roleName }),
      deadLetterArn: this.deadLetterQueue.queueArn,
      targets: { sendMessage: functionArn('send-message'), placeCallback: functionArn('place-callback'), resumeOutreach: functionArn('resume-outreach') },
    };

    const asynchronous = (fileId: string, file: string, name: string, description: string) =>
      props.makeFunction(fileId, file, name, 'outreach-appointments', { description, timeout: Duration.seconds(90), deadLetterQueue: this.deadLetterQueue });
    this.sendMessage = asynchronous('SendMessage', 'send-message.ts', 'send-message', 'Texts an appointment confirmation, reminder or review request, or the practice information, when it falls due; exactly once')
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .allowSendText(props.messaging)
      .bindSchedules(this.schedules);
    this.placeCallback = asynchronous('PlaceCallback', 'place-callback.ts', 'place-callback', 'Queues the call-back a person asked for to the practice\'s agents, exactly once')
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindSchedules(this.schedules);
    for (const instance of props.instances) this.placeCallback.allowOutboundCall(instance);
    this.resumeOutreach = asynchronous('ResumeOutreach', 'resume-outreach.ts', 'resume-outreach', 'Starts the cadence over for a person who declined, once the configured time has passed')
      .bindTrackerTable(props.trackerTable, 'readWrite')
      .bindCadenceWorkflow(props.cadenceStateMachine);
    // Only a change (a no-show, a cancellation) starts a follow-up cadence.
    this.changeAppointment = this.equip(
      asynchronous('ChangeAppointment', 'change-appointment.ts', 'change-appointment', 'Applies an appointment change from the practice: moves or removes reminders, starts follow-ups, schedules the review request'),
    ).bindCadenceWorkflow(props.cadenceStateMachine);

    this.appointmentFile = this.equip(
      props.makeFunction('AppointmentFile', 'appointment-file.ts', 'appointment-file', 'outreach-appointments', {
        description: 'Applies the rows of an appointment-changes file a practice dropped, and writes what came of each',
        timeout: Duration.minutes(15),
        deadLetterQueue: this.deadLetterQueue,
      }),
    )
      .bindCadenceWorkflow(props.cadenceStateMachine)
      .bindImportBucket(props.importBucket, 'read', APPOINTMENT_CHANGES_PREFIX)
      .bindReportsBucket(props.reportsBucket, 'write', APPOINTMENT_CHANGES_PREFIX);
    const fileDropped = new events.Rule(this, 'AppointmentFileUploadedRule', {
      description: `Reads appointment-changes files uploaded under ${APPOINTMENT_CHANGES_PREFIX} in the import bucket`,
      eventPattern: objectCreatedUnder(props.importBucket, APPOINTMENT_CHANGES_PREFIX),
    });
    fileDropped.addTarget(new targets.LambdaFunction(this.appointmentFile.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) }));

    this.schedulerRole(roleName);
    const changeRequested = new events.Rule(this, 'AppointmentChangeRequestedRule', {
      eventBus: props.eventBus,
      description: `Sends "${APPOINTMENT_CHANGE_REQUESTED}" events from the practice's systems to change-appointment`,
      eventPattern: { detailType: [APPOINTMENT_CHANGE_REQUESTED] },
    });
    changeRequested.addTarget(new targets.LambdaFunction(this.changeAppointment.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) }));

    for (const fn of [this.sendMessage, this.placeCallback, this.resumeOutreach, this.changeAppointment, this.appointmentFile]) {
      acknowledge(
        fn,
        'HIPAA.Security-LambdaConcurrency',
        'Invoked asynchronously by one-time schedules or the appointment-change rule, at the pace appointments are made; sends are paced per origination identity by the pacer in the tracker, and a reservation would take capacity from the account pool without slowing any send.',
      );
      acknowledge(
        fn,
        'HIPAA.Security-LambdaInsideVPC',
        'Reaches only AWS public service endpoints (DynamoDB, End User Messaging, Amazon Connect, EventBridge, Scheduler, Step Functions) over TLS with IAM; there is no VPC resource to reach.',
      );
    }
  }

  /** Gives `fn` what booking an appointment needs: the tracker, texts (the confirmation), schedules (reminders) and the bus (the hand-off). */
  public equip(fn: OutreachFunction): OutreachFunction {
    return fn.bindTrackerTable(this.props.trackerTable, 'readWrite').allowSendText(this.props.messaging).bindSchedules(this.schedules).bindEventBus(this.props.eventBus);
  }

  /** The role Scheduler assumes for this group's schedules: invoke the three targets, dead-letter to the queue. */
  private schedulerRole(roleName: string): void {
    const role = new iam.Role(this, 'MessageSchedulerRole', {
      roleName,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account, 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn } },
      }),
      description: 'EventBridge Scheduler invokes the appointment desk\'s functions for one-time message schedules',
    });
    for (const fn of [this.sendMessage, this.placeCallback, this.resumeOutreach]) fn.grantInvoke(role);
    // Scheduler writes undeliverable invocations to the encrypted queue with this role (grantSendMessages would add key wildcards).
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    this.props.key.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    for (const fn of [this.sendMessage, this.placeCallback, this.resumeOutreach]) {
      acknowledge(role, iamWildcardResourceFinding(Stack.of(this), `${fn.functionArn}:*`), 'CDK invoke grant: the unqualified function plus its versions/aliases (":*"); nothing else.');
    }
    acknowledge(
      role,
      'HIPAA.Security-IAMNoInlinePolicy',
      "CDK's per-role policy of the message scheduler role: invoke the three schedule targets, send to their dead-letter queue and use the stage key for it; attached to this role only.",
    );
  }
}
