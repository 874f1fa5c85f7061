import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TRACKER_TABLE } from '../../lambdas/adapters/tracker-table';
import { sampleConfig, synthOutreach, type SynthesisedOutreach } from './support/outreach-app';

// Two synths for the whole file: the sample dev stage, and a production-like stage whose
// retention settings differ from the sample so the tests prove they come from config.
let dev: SynthesisedOutreach;
let prod: SynthesisedOutreach;
beforeAll(() => {
  dev = synthOutreach();
  prod = synthOutreach(
    sampleConfig((raw) => {
      raw.stage = 'prod';
      raw.retainData = true;
      raw.import.rawRetentionDays = 7;
      raw.import.reportRetentionDays = 90;
    }),
  );
});

const keyRef = (t: Template) => ({ 'Fn::GetAtt': [Object.keys(t.findResources('AWS::KMS::Key'))[0], 'Arn'] });
const bucketIds = (t: Template) => Object.keys(t.findResources('AWS::S3::Bucket'));
const bucketId = (t: Template, prefix: string) => {
  const id = bucketIds(t).find((logicalId) => logicalId.startsWith(prefix));
  if (!id) throw new Error(`no bucket ${prefix}`);
  return id;
};
const lifecycleRules = (t: Template, prefix: string) =>
  t.toJSON().Resources[bucketId(t, prefix)].Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;

describe('GIVEN a stage WHEN the data stack is synthesised', () => {
  test('THEN the stage key rotates yearly and is named alias/outreach-<stage>', () => {
    dev.data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    dev.data.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/outreach-dev' });
    prod.data.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/outreach-prod' });
  });

  test('THEN CloudWatch Logs may use the key only for the log groups of this stage', () => {
    dev.data.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudWatchLogsEncryptsStageLogGroups',
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': [
                  { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:/aws/lambda/outreach-dev-\\*$')])] },
                  { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:/aws/vendedlogs/states/outreach-dev-\\*$')])] },
                ],
              },
            },
          }),
        ]),
      },
    });
  });

  test('THEN CloudWatch Logs may also use the key for the flow-log group of each Connect instance the stage creates, and for no other Connect instance\'s', () => {
    const withCreated = synthOutreach(
      sampleConfig((raw) => {
        raw.practices[0].contactCenter = { instanceAlias: 'sunrise-outreach', hours: raw.practices[0].contactCenter.hours };
      }),
    );
    withCreated.data.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudWatchLogsEncryptsStageLogGroups',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': [
                  { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:/aws/lambda/outreach-dev-\\*$')])] },
                  { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:/aws/vendedlogs/states/outreach-dev-\\*$')])] },
                  { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-group:/aws/connect/sunrise-outreach$')])] },
                ],
              },
            },
          }),
        ]),
      },
    });
  });

  test('THEN EventBridge may use the key (for encrypted dead-letter queues) only on behalf of this account', () => {
    dev.data.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EventBridgeWritesEncryptedDeadLetterQueues',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  test('THEN every AWS service the key policy lets in is held to this account (no service may use the key on anyone\'s behalf)', () => {
    const statements = Object.values(dev.data.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement as Array<Record<string, any>>;
    const services = statements.filter((s) => s.Principal?.Service);
    expect([...new Set(services.map((s) => s.Principal.Service))].sort()).toEqual([
      'cloudwatch.amazonaws.com',
      'delivery.logs.amazonaws.com',
      'events.amazonaws.com',
      'logs.us-east-1.amazonaws.com',
      'sms-voice.amazonaws.com',
    ]);
    // Each statement's condition names this account (a source account, or an ARN of this account).
    for (const s of services) expect({ service: s.Principal.Service, condition: JSON.stringify(s.Condition ?? {}) }).toEqual({ service: s.Principal.Service, condition: expect.stringContaining('{"Ref":"AWS::AccountId"}') });
    // Step Functions' log delivery (added by CDK for workflows under the stage key): this account's log deliveries only.
    expect(services.find((s) => s.Principal.Service === 'delivery.logs.amazonaws.com')!.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:', { Ref: 'AWS::AccountId' }, ':*']] } },
    });
  });

  test('THEN the tracker table is built from TRACKER_TABLE: string keys, TTL attribute, on-demand', () => {
    dev.data.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TRACKER_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TRACKER_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: TRACKER_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: TRACKER_TABLE.sortKey, AttributeType: 'S' },
      ]),
      TimeToLiveSpecification: { AttributeName: TRACKER_TABLE.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  test('THEN the tracker table is encrypted with the stage key and has point-in-time recovery', () => {
    dev.data.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyRef(dev.data) },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  test('THEN a stage that retains data protects the table, key and buckets from deletion', () => {
    prod.data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    prod.data.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    for (const [id, bucket] of Object.entries(prod.data.findResources('AWS::S3::Bucket'))) {
      expect([id, bucket.DeletionPolicy]).toEqual([id, 'Retain']);
    }
    expect(prod.assembly.getStackArtifact(prod.stacks.data.artifactId).terminationProtection).toBe(true);
  });

  test('THEN a dev stage (retainData false) can be torn down: no deletion protection, DESTROY policies', () => {
    dev.data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    dev.data.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ PendingWindowInDays: 7 }) });
  });

  test('THEN the import and reports buckets are encrypted with the stage key (S3 bucket keys on)', () => {
    for (const prefix of ['ImportBucket', 'ReportsBucket']) {
      expect(dev.data.toJSON().Resources[bucketId(dev.data, prefix)].Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyRef(dev.data) } },
        ],
      });
    }
  });

  test('THEN the access-log bucket uses SSE-S3, the only default encryption S3 log delivery supports', () => {
    expect(dev.data.toJSON().Resources[bucketId(dev.data, 'AccessLogsBucket')].Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  test('THEN every bucket policy denies requests that do not use TLS (and TLS older than 1.2)', () => {
    const policies = dev.data.findResources('AWS::S3::BucketPolicy');
    const protectedBuckets = Object.values(policies).map((policy) => {
      const statements = policy.Properties.PolicyDocument.Statement as Array<Record<string, any>>;
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      );
      return policy.Properties.Bucket.Ref as string;
    });
    expect(protectedBuckets.sort()).toEqual(bucketIds(dev.data).sort());
  });

  test('THEN every bucket blocks all public access, disables ACLs and keeps versions', () => {
    for (const bucket of Object.values(dev.data.findResources('AWS::S3::Bucket'))) {
      expect(bucket.Properties).toEqual(
        expect.objectContaining({
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      );
    }
  });

  test('THEN the import and reports buckets log every request to the access-log bucket', () => {
    const logsBucket = bucketId(dev.data, 'AccessLogsBucket');
    for (const [prefix, logPrefix] of [
      ['ImportBucket', 'import-bucket/'],
      ['ReportsBucket', 'reports-bucket/'],
    ]) {
      expect(dev.data.toJSON().Resources[bucketId(dev.data, prefix)].Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: logsBucket },
        LogFilePrefix: logPrefix,
      });
    }
  });

  test('THEN raw uploads under inbox/ are purged after import.rawRetentionDays, and their old versions a day later', () => {
    const purge = { Id: 'purge-raw-uploads', Prefix: 'inbox/', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1 } };
    expect(lifecycleRules(dev.data, 'ImportBucket')).toContainEqual({ ...purge, ExpirationInDays: 30 });
    expect(lifecycleRules(prod.data, 'ImportBucket')).toContainEqual({ ...purge, ExpirationInDays: 7 });
    expect(lifecycleRules(prod.data, 'ImportBucket')).toContainEqual(
      expect.objectContaining({ Prefix: 'inbox/', ExpiredObjectDeleteMarker: true, Status: 'Enabled' }),
    );
  });

  test('THEN import reports under imports/ expire after import.reportRetentionDays', () => {
    const expire = { Id: 'expire-import-reports', Prefix: 'imports/', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 1 } };
    expect(lifecycleRules(dev.data, 'ReportsBucket')).toContainEqual({ ...expire, ExpirationInDays: 365 });
    expect(lifecycleRules(prod.data, 'ReportsBucket')).toContainEqual({ ...expire, ExpirationInDays: 90 });
  });

  test('THEN do-not-call files expire like raw uploads and postcard manifests like reports, with their old versions a day later', () => {
    const rule = (id: string, prefix: string, days: number) => ({ Id: id, Prefix: prefix, Status: 'Enabled', ExpirationInDays: days, NoncurrentVersionExpiration: { NoncurrentDays: 1 } });
    expect(lifecycleRules(prod.data, 'ImportBucket')).toContainEqual(rule('purge-do-not-call-files', 'do-not-call/', 7));
    expect(lifecycleRules(prod.data, 'ReportsBucket')).toContainEqual(rule('expire-postcard-manifests', 'postcards/', 90));
    expect(lifecycleRules(dev.data, 'ReportsBucket')).toContainEqual(rule('expire-postcard-manifests', 'postcards/', 365));
    for (const [bucket, prefix] of [['ImportBucket', 'do-not-call/'], ['ReportsBucket', 'postcards/']]) {
      expect(lifecycleRules(prod.data, bucket!)).toContainEqual(expect.objectContaining({ Prefix: prefix, ExpiredObjectDeleteMarker: true, Status: 'Enabled' }));
    }
  });

  test('THEN outreach reports and reply exports (the replies\' text) expire like reports', () => {
    const rule = (id: string, prefix: string, days: number) => ({ Id: id, Prefix: prefix, Status: 'Enabled', ExpirationInDays: days, NoncurrentVersionExpiration: { NoncurrentDays: 1 } });
    expect(lifecycleRules(prod.data, 'ReportsBucket')).toContainEqual(rule('expire-outreach-reports', 'reports/', 90));
    expect(lifecycleRules(prod.data, 'ReportsBucket')).toContainEqual(rule('expire-reply-exports', 'exports/', 90));
    expect(lifecycleRules(dev.data, 'ReportsBucket')).toContainEqual(rule('expire-reply-exports', 'exports/', 365));
  });

  test('THEN appointment-changes files expire like raw uploads; hand-off files, their results and Connect recordings like reports', () => {
    const rule = (id: string, prefix: string, days: number) => ({ Id: id, Prefix: prefix, Status: 'Enabled', ExpirationInDays: days, NoncurrentVersionExpiration: { NoncurrentDays: 1 } });
    expect(lifecycleRules(prod.data, 'ImportBucket')).toContainEqual(rule('purge-appointment-files', 'appointments/', 7));
    expect(lifecycleRules(prod.data, 'ReportsBucket')).toContainEqual(rule('expire-hand-off-files', 'handoffs/', 90));
    expect(lifecycleRules(prod.data, 'ReportsBucket')).toContainEqual(rule('expire-appointment-file-results', 'appointments/', 90));
    expect(lifecycleRules(prod.data, 'ReportsBucket')).toContainEqual(rule('expire-connect-recordings', 'connect/', 90));
  });

  test('THEN incomplete multipart uploads are aborted in every bucket', () => {
    for (const prefix of ['ImportBucket', 'ReportsBucket', 'AccessLogsBucket']) {
      expect(lifecycleRules(dev.data, prefix)).toContainEqual(
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
      );
    }
  });

  test('THEN the import bucket sends its events to EventBridge natively, without a notifications custom resource', () => {
    expect(dev.data.toJSON().Resources[bucketId(dev.data, 'ImportBucket')].Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    expect(dev.data.findResources('Custom::S3BucketNotifications')).toEqual({});
    expect(dev.data.findResources('AWS::Lambda::Function')).toEqual({});
  });

  test('THEN the stage has its own event bus outreach-<stage>, encrypted with the stage key', () => {
    dev.data.hasResourceProperties('AWS::Events::EventBus', { Name: 'outreach-dev', KmsKeyIdentifier: keyRef(dev.data) });
    prod.data.hasResourceProperties('AWS::Events::EventBus', { Name: 'outreach-prod' });
  });

  test('THEN the stack outputs the bucket, table and bus names for operators', () => {
    const outputs = dev.data.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ImportBucketName.Value).toEqual({ Ref: bucketId(dev.data, 'ImportBucket') });
    expect(outputs.ReportsBucketName.Value).toEqual({ Ref: bucketId(dev.data, 'ReportsBucket') });
    expect(outputs.TrackerTableName.Value).toEqual({ Ref: Object.keys(dev.data.findResources('AWS::DynamoDB::Table'))[0] });
    expect(outputs.EventBusName.Value).toEqual({ Ref: Object.keys(dev.data.findResources('AWS::Events::EventBus'))[0] });
  });
});
