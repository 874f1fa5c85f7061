/**
 * The stateful part of one stage: the customer-managed key, the outreach tracker table,
 * the import bucket (where practices drop files), the reports bucket, the S3 access-log
 * bucket, and the stage's own event bus. Everything that holds PHI is encrypted with the
 * stage key, TLS-only, never public, versioned or point-in-time recoverable, and purged
 * on the retention the stage config sets.
 */
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TRACKER_TABLE } from '../lambdas/adapters/tracker-table';
import type { StageConfig } from '../lambdas/domain/stage-config';
import { acknowledge } from './compliance';
import {
  APPOINTMENT_CHANGES_PREFIX,
  CONNECT_RECORDINGS_PREFIX,
  DO_NOT_CALL_PREFIX,
  eventBusName,
  FLAG_DIGEST_PREFIX,
  OUTREACH_REPORTS_PREFIX,
  EXPORTS_PREFIX,
  HAND_OFF_PREFIX,
  IMPORT_INBOX_PREFIX,
  IMPORT_REPORTS_PREFIX,
  keyAlias,
  POSTCARD_MANIFEST_PREFIX,
  stageLogGroupPatterns,
} from './naming';

export interface DataStackProps extends StackProps {
  /** The parsed stage config; `retainData` and `import.*RetentionDays` shape this stack. */
  readonly config: StageConfig;
}

export class DataStack extends Stack {
  /** Customer-managed key for the table, buckets, bus, queues and log groups of the stage. */
  public readonly key: kms.IKey;
  /** The outreach tracker (see lambdas/adapters/tracker-table.ts). */
  public readonly trackerTable: dynamodb.ITable;
  /** Practices drop import files under `inbox/<practice-id>/`. */
  public readonly importBucket: s3.IBucket;
  /** Import summaries and rejected-row reports under `imports/`. */
  public readonly reportsBucket: s3.IBucket;
  /** Receives the S3 server access logs of the other buckets. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The system's own events (import summaries and later cadence events). */
  public readonly eventBus: events.IEventBus;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;
    const retain = config.retainData;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const key = new kms.Key(this, 'Key', {
      alias: keyAlias(config.stage),
      description: `Patient Outreach ${config.stage}: encrypts the tracker, buckets, bus, queues and logs`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(retain ? 30 : 7),
      removalPolicy,
    });
    // Key policy: account IAM policies (CDK default) plus the two services that use the key
    // on their own behalf. S3 needs no statement: SSE-KMS runs with the caller's permissions
    // (the bindX() grants), and access-log delivery cannot use KMS at all (see below).
    //
    // CloudWatch Logs encrypts log groups with the caller-specified key itself, so the key
    // policy must let it in; the encryption-context condition limits it to this stage's
    // log groups (names from naming.ts), the contact center stack's flow-log groups of the
    // Connect instances it creates among them.
    const createdInstanceAliases = config.practices.flatMap((p) => p.contactCenter?.instanceAlias ?? []);
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsStageLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stageLogGroupPatterns(config.stage, createdInstanceAliases).map((name) =>
              this.formatArn({ service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
            ),
          },
        },
      }),
    );
    // EventBridge writes undeliverable events to dead-letter queues encrypted with this key
    // (SQS asks KMS on EventBridge's behalf). Only for sources in this account.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeWritesEncryptedDeadLetterQueues',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    const table = new dynamodb.Table(this, 'TrackerTable', {
      partitionKey: { name: TRACKER_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TRACKER_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TRACKER_TABLE.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy,
    });
    acknowledge(
      table,
      'HIPAA.Security-DynamoDBInBackupPlan',
      'Recovery is point-in-time recovery (continuous, 35 days) plus deletion protection and RETAIN outside dev. Long-lived AWS Backup copies would keep PHI of people who opted out beyond the retention the practice set; organisations that need them attach the table to an AWS Backup policy centrally.',
    );

    // S3 server access log delivery supports SSE-S3 only on the target bucket (SSE-KMS
    // is not supported), so this bucket is the one place without the stage key.
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-replaced-log-objects', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });
    acknowledge(
      accessLogs,
      'HIPAA.Security-S3DefaultEncryptionKMS',
      'S3 server access log target buckets support only SSE-S3 default encryption; SSE-KMS would stop log delivery. The logs hold request metadata, not file contents.',
    );
    const importBucket = new s3.Bucket(this, 'ImportBucket', {
      ...this.phiBucketProps(key, accessLogs, 'import-bucket/', removalPolicy),
      lifecycleRules: [
        // Raw uploads and do-not-call files hold names and numbers; once imported the tracker has what it needs.
        ...expireUnder('purge-raw-uploads', IMPORT_INBOX_PREFIX, config.import.rawRetentionDays, 'remove-expired-delete-markers'),
        ...expireUnder('purge-do-not-call-files', DO_NOT_CALL_PREFIX, config.import.rawRetentionDays),
        ...expireUnder('purge-appointment-files', APPOINTMENT_CHANGES_PREFIX, config.import.rawRetentionDays),
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    // EventBridge notifications set natively on the bucket. The L2 `eventBridgeEnabled`
    // flag goes through CDK's BucketNotifications custom resource instead: an extra
    // Lambda with a managed-policy role and an older runtime, for one static setting.
    (importBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    const reportsBucket = new s3.Bucket(this, 'ReportsBucket', {
      ...this.phiBucketProps(key, accessLogs, 'reports-bucket/', removalPolicy),
      lifecycleRules: [
        ...expireUnder('expire-import-reports', IMPORT_REPORTS_PREFIX, config.import.reportRetentionDays, 'remove-expired-delete-markers'),
        // Postcard manifests carry names and mailing addresses: kept as long as reports, no longer.
        ...expireUnder('expire-postcard-manifests', POSTCARD_MANIFEST_PREFIX, config.import.reportRetentionDays),
        // Hand-off files (names, dates of birth, numbers), appointment-file results and Connect recordings: as long as reports.
        ...expireUnder('expire-hand-off-files', HAND_OFF_PREFIX, config.import.reportRetentionDays),
        ...expireUnder('expire-appointment-file-results', APPOINTMENT_CHANGES_PREFIX, config.import.reportRetentionDays),
        ...expireUnder('expire-connect-recordings', CONNECT_RECORDINGS_PREFIX, config.import.reportRetentionDays),
        ...expireUnder('expire-flag-digests', FLAG_DIGEST_PREFIX, config.import.reportRetentionDays),
        // Outreach reports, and reply exports (the replies' text): as long as reports, no longer.
        ...expireUnder('expire-outreach-reports', OUTREACH_REPORTS_PREFIX, config.import.reportRetentionDays),
        ...expireUnder('expire-reply-exports', EXPORTS_PREFIX, config.import.reportRetentionDays),
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    for (const bucket of [accessLogs, importBucket, reportsBucket]) {
      acknowledge(
        bucket,
        'HIPAA.Security-S3BucketReplicationEnabled',
        'No cross-region copy on purpose: PHI stays in the stage region and raw uploads must disappear after the configured retention; S3 stores objects across availability zones and versioning covers accidental overwrites.',
      );
    }

    const eventBus = new events.EventBus(this, 'EventBus', {
      eventBusName: eventBusName(config.stage),
      description: 'Patient Outreach events (import summaries, cadence progress); ids and counts only',
      kmsKey: key,
    });

    this.key = key;
    this.trackerTable = table;
    this.importBucket = importBucket;
    this.reportsBucket = reportsBucket;
    this.accessLogsBucket = accessLogs;
    this.eventBus = eventBus;

    new CfnOutput(this, 'ImportBucketName', { value: importBucket.bucketName, description: 'Drop import files under inbox/<practice-id>/' });
    new CfnOutput(this, 'ReportsBucketName', { value: reportsBucket.bucketName });
    new CfnOutput(this, 'TrackerTableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: eventBus.eventBusName });
  }

  /** The protections every bucket holding PHI gets. */
  private phiBucketProps(key: kms.IKey, accessLogs: s3.IBucket, logPrefix: string, removalPolicy: RemovalPolicy): s3.BucketProps {
    return {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: logPrefix,
      removalPolicy,
    };
  }
}

/**
 * Objects under `prefix` expire after `days`; an expired (or overwritten) object becomes a
 * noncurrent version, deleted a day later so no copy outlives the retention period; then
 * the delete markers left behind are removed.
 */
function expireUnder(id: string, prefix: string, days: number, markersId = `${id}-delete-markers`): s3.LifecycleRule[] {
  return [
    { id, prefix, expiration: Duration.days(days), noncurrentVersionExpiration: Duration.days(1) },
    { id: markersId, prefix, expiredObjectDeleteMarker: true },
  ];
}

/** The EventBridge pattern of files created under `prefix` in `bucket` (the import bucket sends S3 events to the default bus). */
export function objectCreatedUnder(bucket: s3.IBucket, prefix: string): events.EventPattern {
  return {
    source: ['aws.s3'],
    detailType: ['Object Created'],
    detail: { bucket: { name: [bucket.bucketName] }, object: { key: events.Match.prefix(prefix) } },
  };
}
