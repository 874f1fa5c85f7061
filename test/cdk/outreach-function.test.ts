import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { OutreachFunction } from '../../lib/constructs/outreach-function';
import { allowedActions, SAMPLE_CONFIG_FILE, statementsOfFunction, testApp } from './support/outreach-app';

const ENTRY = path.join(__dirname, 'fixtures', 'echo-handler.ts');

function stackWithFunction(bundle: boolean) {
  const app = testApp({ bundle });
  const stack = new Stack(app, 'FunctionTest', { env: { region: 'us-east-1' } });
  const key = new kms.Key(stack, 'Key');
  const fn = new OutreachFunction(stack, 'Echo', {
    entry: ENTRY,
    functionName: 'outreach-test-echo',
    serviceName: 'outreach-test',
    stageConfigFile: SAMPLE_CONFIG_FILE,
    logEncryptionKey: key,
  });
  return { app, stack, key, fn };
}

describe('GIVEN an OutreachFunction', () => {
  test('WHEN it is bundled with esbuild THEN the stage config is inside the bundle as stage-config.json', () => {
    const { app, stack } = stackWithFunction(true);
    const assembly = app.synth();
    const template = Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
    // The code asset is staged in the assembly as asset.<hash>, uploaded as <hash>.zip.
    const s3Key = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Code.S3Key as string;
    const bundle = path.join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`);

    expect(fs.readdirSync(bundle).sort()).toEqual(['index.js', 'index.js.map', 'stage-config.json']);
    expect(fs.readFileSync(path.join(bundle, 'stage-config.json'), 'utf8')).toBe(fs.readFileSync(SAMPLE_CONFIG_FILE, 'utf8'));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { OUTREACH_CONFIG_FILE: '/var/task/stage-config.json' } },
    });
  });

  test('WHEN nothing else is set THEN it takes the documented defaults: 30 s, 512 MB, no reserved concurrency, one-year logs kept on deletion', () => {
    const { stack, key } = stackWithFunction(false);
    const template = Template.fromStack(stack);
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties;
    expect(fn).toEqual(expect.objectContaining({ Timeout: 30, MemorySize: 512, FunctionName: 'outreach-test-echo' }));
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
    expect(fn.DeadLetterConfig).toBeUndefined();
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { LogGroupName: '/aws/lambda/outreach-test-echo', RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } },
    });
  });

  test('WHEN the tracker table is bound read-only THEN it gets the table name and read actions but no write action', () => {
    const { stack, key, fn } = stackWithFunction(false);
    const table = new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
    });
    fn.bindTrackerTable(table, 'read');
    const template = Template.fromStack(stack);

    const actions = allowedActions(statementsOfFunction(template, 'outreach-test-echo'));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt']));
    expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a) || /^kms:(Encrypt|GenerateDataKey|ReEncrypt)/.test(a))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { TRACKER_TABLE_NAME: { Ref: stack.getLogicalId(table.node.defaultChild as dynamodb.CfnTable) } } },
    });
  });

  test('WHEN the reports bucket is bound for writing THEN it may put and abort uploads under imports/ but never delete', () => {
    const { stack, key, fn } = stackWithFunction(false);
    const bucket = new s3.Bucket(stack, 'Reports', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
    fn.bindReportsBucket(bucket, 'write');
    const template = Template.fromStack(stack);

    const actions = allowedActions(statementsOfFunction(template, 'outreach-test-echo'));
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 's3:Abort*', 'kms:GenerateDataKey*']));
    expect(actions.filter((a) => a.startsWith('s3:Delete') || a.startsWith('s3:GetObject'))).toEqual([]);
  });
});
