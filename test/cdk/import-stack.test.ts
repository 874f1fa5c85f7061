import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { assertSubstitutionsMatch } from '../../lib/constructs/workflow';
import {
  allStatements,
  allowedActions,
  asArray,
  functionLogicalId,
  statementsOfFunction,
  statementsOfRole,
  synthOutreach,
  type Statement,
  type SynthesisedOutreach,
} from './support/outreach-app';

let app: SynthesisedOutreach;
let template: Template;
beforeAll(() => {
  app = synthOutreach();
  template = app.import;
});

const STEPS = ['begin', 'rows', 'validate', 'enroll', 'finish', 'fail'] as const;
const fnName = (step: (typeof STEPS)[number]) => `outreach-dev-import-${step}`;
const fnProps = (step: (typeof STEPS)[number]) => template.toJSON().Resources[functionLogicalId(template, fnName(step))].Properties;
/** A cross-stack reference to the data stack resource whose logical id starts with `prefix` (jest matcher). */
const importValueOf = (prefix: string) => ({ 'Fn::ImportValue': expect.stringMatching(new RegExp(`^Outreach-dev-Data:ExportsOutput(Ref|FnGetAtt)${prefix}`)) });
/** The same, as a Template assertions matcher. */
const importMatch = (prefix: string) => ({ 'Fn::ImportValue': Match.stringLikeRegexp(`^Outreach-dev-Data:ExportsOutput(Ref|FnGetAtt)${prefix}`) });
const grants = (statements: Statement[], action: string) => statements.filter((s) => s.Effect === 'Allow' && asArray(s.Action).includes(action));

describe('GIVEN the sample stage WHEN the import stack is synthesised', () => {
  describe('THEN every import function', () => {
    test.each(STEPS)('%s runs on arm64 with Node.js 24, active tracing and the Powertools settings', (step) => {
      expect(fnProps(step)).toEqual(
        expect.objectContaining({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
        }),
      );
      expect(fnProps(step).Environment.Variables).toEqual(
        expect.objectContaining({
          POWERTOOLS_SERVICE_NAME: 'outreach-import',
          POWERTOOLS_METRICS_NAMESPACE: 'PatientOutreach',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
          OUTREACH_CONFIG_FILE: '/var/task/stage-config.json',
        }),
      );
    });

    test.each(STEPS)('%s logs to its own KMS-encrypted log group that expires after a year', (step) => {
      const logGroupId = fnProps(step).LoggingConfig.LogGroup.Ref as string;
      expect(template.toJSON().Resources[logGroupId].Properties).toEqual(
        expect.objectContaining({
          LogGroupName: `/aws/lambda/${fnName(step)}`,
          KmsKeyId: importValueOf('Key'),
          RetentionInDays: 365,
        }),
      );
      expect(statementsOfFunction(template, fnName(step))).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
        }),
      );
    });
  });

  test('THEN the chunked steps (rows, validate, enroll) may run 15 minutes, the others 2 to 5', () => {
    expect(Object.fromEntries(STEPS.map((step) => [step, fnProps(step).Timeout]))).toEqual({
      begin: 120,
      rows: 900,
      validate: 900,
      enroll: 900,
      finish: 300,
      fail: 120,
    });
  });

  test('THEN only the validator reserves concurrency, exactly one, so one PhoneNumberValidate caller runs at a time', () => {
    expect(fnProps('validate').ReservedConcurrentExecutions).toBe(1);
    for (const step of STEPS.filter((s) => s !== 'validate')) expect(fnProps(step).ReservedConcurrentExecutions).toBeUndefined();
  });

  test('THEN only the validator may call PhoneNumberValidate, and only on the phone/number/validate resource', () => {
    const validatorGrants = grants(statementsOfFunction(template, fnName('validate')), 'mobiletargeting:PhoneNumberValidate');
    expect(validatorGrants).toEqual([
      {
        Effect: 'Allow',
        Action: 'mobiletargeting:PhoneNumberValidate',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':mobiletargeting:us-east-1:', { Ref: 'AWS::AccountId' }, ':phone/number/validate']],
        },
      },
    ]);
    for (const step of STEPS.filter((s) => s !== 'validate')) {
      expect(allowedActions(statementsOfFunction(template, fnName(step)))).not.toContain('mobiletargeting:PhoneNumberValidate');
    }
  });

  test('THEN only finish and fail may put events, and only on the stage bus', () => {
    for (const step of ['finish', 'fail'] as const) {
      expect(grants(statementsOfFunction(template, fnName(step)), 'events:PutEvents')).toEqual([
        { Effect: 'Allow', Action: 'events:PutEvents', Resource: importValueOf('EventBus') },
      ]);
      expect(fnProps(step).Environment.Variables.EVENT_BUS_NAME).toEqual(importValueOf('EventBus'));
    }
    for (const step of ['begin', 'rows', 'validate', 'enroll'] as const) {
      expect(allowedActions(statementsOfFunction(template, fnName(step))).filter((a) => a.startsWith('events:'))).toEqual([]);
      expect(fnProps(step).Environment.Variables.EVENT_BUS_NAME).toBeUndefined();
    }
  });

  test('THEN begin and rows may read the import bucket only under inbox/, and never write or delete there', () => {
    for (const step of ['begin', 'rows'] as const) {
      const s3Statements = statementsOfFunction(template, fnName(step)).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
      expect(s3Statements).toEqual([
        {
          Effect: 'Allow',
          Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'],
          Resource: [importValueOf('ImportBucket'), { 'Fn::Join': ['', [importValueOf('ImportBucket'), '/inbox/*']] }],
        },
      ]);
      expect(fnProps(step).Environment.Variables.IMPORT_BUCKET_NAME).toEqual(importValueOf('ImportBucket'));
    }
  });

  test('THEN only finish and fail may write to the reports bucket, put-only, and only under imports/', () => {
    for (const step of ['finish', 'fail'] as const) {
      const s3Statements = statementsOfFunction(template, fnName(step)).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
      expect(s3Statements).toEqual([
        expect.objectContaining({ Resource: { 'Fn::Join': ['', [importValueOf('ReportsBucket'), '/imports/*']] } }),
      ]);
      expect(asArray(s3Statements[0].Action).sort()).toEqual(
        ['s3:Abort*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'].sort(),
      );
    }
    for (const step of ['begin', 'rows', 'validate', 'enroll'] as const) {
      expect(fnProps(step).Environment.Variables.REPORTS_BUCKET_NAME).toBeUndefined();
    }
    for (const step of ['validate', 'enroll'] as const) {
      expect(allowedActions(statementsOfFunction(template, fnName(step))).filter((a) => a.startsWith('s3:'))).toEqual([]);
    }
  });

  test('THEN every import function reads and writes the tracker table and is told its name', () => {
    for (const step of STEPS) {
      const statements = statementsOfFunction(template, fnName(step));
      expect(grants(statements, 'dynamodb:UpdateItem')).toEqual([expect.objectContaining({ Resource: importValueOf('TrackerTable') })]);
      expect(fnProps(step).Environment.Variables.TRACKER_TABLE_NAME).toEqual(importValueOf('TrackerTable'));
    }
  });

  test('THEN no policy allows every action, or every action of a service', () => {
    const offending = allowedActions(allStatements(template)).filter((action) => action === '*' || /^[a-z0-9-]+:\*$/.test(action));
    expect(offending).toEqual([]);
  });

  test('THEN Resource "*" is used only for X-Ray and Step Functions log delivery, which have no resource-level permissions', () => {
    const onStar = allowedActions(allStatements(template).filter((s) => asArray(s.Resource).includes('*')));
    const allowed = /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;
    expect(onStar.length).toBeGreaterThan(0);
    expect(onStar.filter((action) => !allowed.test(action))).toEqual([]);
  });

  test('THEN no role uses an AWS managed policy (no AWSLambdaBasicExecutionRole)', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('THEN the workflow is a STANDARD state machine with X-Ray, logging ALL transitions (no payloads) to a KMS-encrypted log group', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties;
    expect(machine).toEqual(expect.objectContaining({ StateMachineName: 'outreach-dev-import', StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true } }));
    expect(machine.LoggingConfiguration).toEqual(
      expect.objectContaining({ Level: 'ALL', IncludeExecutionData: false }),
    );
    const logGroupId = machine.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[logGroupId].Properties).toEqual(
      expect.objectContaining({ LogGroupName: '/aws/vendedlogs/states/outreach-dev-import', KmsKeyId: importValueOf('Key'), RetentionInDays: 365 }),
    );
  });

  test('THEN each ${Import<Step>FunctionArn} in the ASL is substituted with that step\'s function', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionSubstitutions: {
        ImportBeginFunctionArn: { 'Fn::GetAtt': [functionLogicalId(template, fnName('begin')), 'Arn'] },
        ImportRowsFunctionArn: { 'Fn::GetAtt': [functionLogicalId(template, fnName('rows')), 'Arn'] },
        ImportValidateFunctionArn: { 'Fn::GetAtt': [functionLogicalId(template, fnName('validate')), 'Arn'] },
        ImportEnrollFunctionArn: { 'Fn::GetAtt': [functionLogicalId(template, fnName('enroll')), 'Arn'] },
        ImportFinishFunctionArn: { 'Fn::GetAtt': [functionLogicalId(template, fnName('finish')), 'Arn'] },
        ImportFailFunctionArn: { 'Fn::GetAtt': [functionLogicalId(template, fnName('fail')), 'Arn'] },
      },
    });
  });

  test('THEN only the enroll step may start cadence executions, and only of the cadence workflow, whose ARN it is told', () => {
    const cadenceWorkflow = { 'Fn::ImportValue': expect.stringMatching(/^Outreach-dev-Outreach:ExportsOutputRefCadenceWorkflow/) };
    expect(grants(statementsOfFunction(template, fnName('enroll')), 'states:StartExecution')).toEqual([
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: cadenceWorkflow },
    ]);
    expect(fnProps('enroll').Environment.Variables.CADENCE_STATE_MACHINE_ARN).toEqual(cadenceWorkflow);
    expect(allowedActions(statementsOfFunction(template, fnName('enroll'))).filter((a) => !/^(logs|xray|dynamodb|kms):/.test(a))).toEqual(['states:StartExecution']);
    for (const step of STEPS.filter((s) => s !== 'enroll')) {
      expect(allowedActions(statementsOfFunction(template, fnName(step)))).not.toContain('states:StartExecution');
      expect(fnProps(step).Environment.Variables.CADENCE_STATE_MACHINE_ARN).toBeUndefined();
    }
  });

  test('THEN the workflow may invoke exactly the six import functions and nothing else', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties;
    const invokes = grants(statementsOfRole(template, machine.RoleArn['Fn::GetAtt'][0]), 'lambda:InvokeFunction');
    const invoked = invokes.flatMap((s) => asArray(s.Resource)).map((r: any) => (r['Fn::GetAtt'] ?? r['Fn::Join'][1][0]['Fn::GetAtt'])[0]);
    expect([...new Set(invoked)].sort()).toEqual(STEPS.map((step) => functionLogicalId(template, fnName(step))).sort());
  });

  test('THEN an "Object Created" event from the import bucket under inbox/ starts the workflow', () => {
    const machineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [importMatch('ImportBucket')] }, object: { key: [{ prefix: 'inbox/' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: machineId },
          // No Input/InputPath: the workflow receives the raw EventBridge event.
          Input: Match.absent(),
          InputPath: Match.absent(),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ImportTriggerDeadLetterQueue'), 'Arn'] } },
        }),
      ],
    });
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    expect(rule.Properties.EventBusName).toBeUndefined(); // S3 events arrive on the default bus
    const targetRole = rule.Properties.Targets[0].RoleArn['Fn::GetAtt'][0];
    expect(statementsOfRole(template, targetRole)).toEqual([
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: machineId } },
      // The workflow is encrypted with the stage key: starting it takes the key, for this workflow only.
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: importValueOf('Key'),
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': { Ref: machineId } } },
      },
    ]);
  });

  test('THEN undeliverable trigger events land in a KMS-encrypted, TLS-only queue that only the rule may write to', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: importMatch('Key'), MessageRetentionPeriod: 1209600 });
    const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy'))[0].Properties.PolicyDocument.Statement;
    expect(policy).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::Events::Rule'))[0], 'Arn'] } } },
        }),
      ]),
    );
  });

  test('THEN the stack outputs the workflow ARN and depends on the data stack and the outreach stack (for the cadence workflow)', () => {
    const machineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    expect(template.toJSON().Outputs.ImportStateMachineArn.Value).toEqual({ Ref: machineId });
    expect(app.stacks.import.dependencies).toEqual(expect.arrayContaining([app.stacks.data, app.stacks.outreach]));
  });
});

describe('GIVEN an ASL definition and the substitutions the stack provides', () => {
  const writeAsl = (resource: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-asl-'));
    const file = path.join(dir, 'flow.asl.json');
    fs.writeFileSync(file, JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: resource, End: true } } }));
    return file;
  };

  test('WHEN the ASL needs a placeholder the stack does not provide THEN synth fails naming it', () => {
    expect(() => assertSubstitutionsMatch(writeAsl('${ImportCleanupFunctionArn}'), ['ImportBeginFunctionArn'], 'ImportStack')).toThrow(
      /no substitution for ImportCleanupFunctionArn; unused substitutions ImportBeginFunctionArn/,
    );
  });

  test('WHEN placeholders and substitutions agree THEN nothing is reported', () => {
    expect(() => assertSubstitutionsMatch(writeAsl('${ImportBeginFunctionArn}'), ['ImportBeginFunctionArn'], 'ImportStack')).not.toThrow();
  });
});
