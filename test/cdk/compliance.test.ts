import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { buildOutreachApp } from '../../lib/outreach-app';
import { SAMPLE_CONFIG_FILE, sampleConfig, synthOutreach, testApp, type SynthesisedOutreach } from './support/outreach-app';

let sample: SynthesisedOutreach;
beforeAll(() => {
  sample = synthOutreach();
});

interface Acknowledgement {
  readonly construct: IConstruct;
  readonly id: string;
  readonly reason: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ construct, id: id.replace(/^annotation::/i, ''), reason })),
      ),
  );
}

describe('GIVEN the sample stage WHEN the app is synthesised with cdk-nag', () => {
  test('THEN the AwsSolutions and HIPAA Security packs report no findings', () => {
    // synth() would already have thrown with the full report on any finding.
    const report = JSON.parse(fs.readFileSync(path.join(sample.assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  test('THEN every acknowledgement sits on a resource-level construct (never a stack or the app) with a specific reason', () => {
    const acks = acknowledgements(sample.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect({ id: ack.id, at: ack.construct.node.path, isStack: Stack.isStack(ack.construct) || ack.construct === sample.app }).toEqual({
        id: ack.id,
        at: ack.construct.node.path,
        isStack: false,
      });
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });

  test('THEN only the reviewed rules are acknowledged', () => {
    const rules = new Set(acknowledgements(sample.app).map((ack) => ack.id.replace(/\[.*\]$/, '')));
    expect([...rules].sort()).toEqual(
      [
        // The staff API: IAM instead of WAF and Cognito, no cache, no HTTP backend, access logs instead of execution logs.
        'AwsSolutions-APIG3',
        'AwsSolutions-APIG6',
        'AwsSolutions-COG4',
        'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
        'HIPAA.Security-APIGWExecutionLoggingEnabled',
        'HIPAA.Security-APIGWSSLEnabled',
        'AwsSolutions-IAM5',
        'AwsSolutions-SQS3',
        'HIPAA.Security-DynamoDBInBackupPlan',
        'HIPAA.Security-IAMNoInlinePolicy',
        'HIPAA.Security-LambdaConcurrency',
        'HIPAA.Security-LambdaDLQ',
        'HIPAA.Security-LambdaInsideVPC',
        'HIPAA.Security-S3BucketReplicationEnabled',
        'HIPAA.Security-S3DefaultEncryptionKMS',
      ].sort(),
    );
  });

  test('THEN wildcard acknowledgements name exact grant wildcards: CDK grant actions, prefix-scoped object ARNs, function versions, X-Ray/log delivery "*", E.164 senders\' phone numbers, one Connect instance\'s contacts and the one-time message schedule group', () => {
    const findings = new Set(
      acknowledgements(sample.app)
        .map((ack) => ack.id)
        .filter((id) => id.startsWith('AwsSolutions-IAM5[')),
    );
    const unexpected = [...findings].filter(
      (id) =>
        !/^AwsSolutions-IAM5\[(Action::(s3:GetObject\*|s3:GetBucket\*|s3:List\*|s3:Abort\*|kms:ReEncrypt\*|kms:GenerateDataKey\*)|Resource::\*|Resource::Outreach-dev-Data:ExportsOutputFnGetAtt(ImportBucket\w+\/(inbox|do-not-call|appointments)|ReportsBucket\w+\/(imports|postcards|handoffs|appointments|digests|reports|exports))\/\*|Resource::<(Import(Begin|Rows|Validate|Enroll|Finish|Fail)|PlanStep|SendSms|DropVoicemail|QueueAgentCall|AddPostcard|RecordFailure|PostcardManifest|HandOffFile|FlagDigest|ImportWatch|OutreachReport|SendMessage|PlaceCallback|ResumeOutreach|Run(PlanShard|SendDue|RecordFailure|Start))Function\w+\.Arn>:\*|Resource::arn:<AWS::Partition>:scheduler:us-east-1:<AWS::AccountId>:schedule\/outreach-dev-messages\/\*|Resource::arn:<AWS::Partition>:sms-voice:us-east-1:<AWS::AccountId>:phone-number\/\*|Resource::arn:<AWS::Partition>:connect:us-east-1:<AWS::AccountId>:instance\/[0-9a-f-]{36}\/contact\/\*)\]$/.test(
          id,
        ),
    );
    expect(unexpected).toEqual([]);
  });

  test('THEN the validator is not excused from reserved concurrency', () => {
    const validator = sample.stacks.import.functions.Validate;
    const onValidator = acknowledgements(sample.app).filter(
      (ack) => ack.id === 'HIPAA.Security-LambdaConcurrency' && ack.construct.node.path.startsWith(validator.node.path),
    );
    expect(onValidator).toEqual([]);
  });
});

describe('GIVEN a resource that breaks the rules WHEN the app is synthesised', () => {
  test('THEN the synth fails and the report names the AwsSolutions and HIPAA findings', () => {
    const app = testApp();
    const stacks = buildOutreachApp(app, sampleConfig(), SAMPLE_CONFIG_FILE);
    new s3.Bucket(stacks.data, 'UnreviewedBucket'); // no TLS policy, no access logs, no KMS, unversioned

    expect(() => app.synth()).toThrow(/AwsSolutions-S10[\s\S]*HIPAA\.Security-S3BucketSSLRequestsOnly|HIPAA\.Security-S3BucketSSLRequestsOnly[\s\S]*AwsSolutions-S10/);
  });
});
