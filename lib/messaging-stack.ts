/**
 * End User Messaging for one stage: the topic that receives inbound (two-way) SMS, the
 * topic that receives delivery events, the configuration set whose event destination
 * feeds it, the opt-out list, and the practices' SMS and voice numbers the stack requests
 * (`provision` in the stage config). Existing resources named in the config are used
 * as they are and nothing is created for them: numbers need carrier registration (10DLC
 * campaign, toll-free verification) that an ops team does once, outside CloudFormation.
 *
 * Wiring an existing number (ops, once per number; the values are this stack's outputs):
 *
 *   aws pinpoint-sms-voice-v2 update-phone-number --phone-number-id <PhoneNumberId or ARN> \
 *     --two-way-enabled --two-way-channel-arn <InboundSmsTopicArn> \
 *     --two-way-channel-role <TwoWayChannelRoleArn> \
 *     --opt-out-list-name <OptOutListName> --no-self-managed-opt-outs-enabled
 *
 * A pool takes the same options: `aws pinpoint-sms-voice-v2 update-pool --pool-id <PoolId> …`.
 * Voice numbers need none of this. An existing configuration set gets the delivery-event
 * destination with:
 *
 *   aws pinpoint-sms-voice-v2 create-event-destination \
 *     --configuration-set-name <ConfigurationSetName> --event-destination-name delivery-events \
 *     --matching-event-types TEXT_ALL VOICE_ALL --sns-destination TopicArn=<DeliveryEventsTopicArn>
 *
 * Self-managed opt-outs stay off so End User Messaging itself answers STOP/HELP and
 * blocks later sends to people on the opt-out list, whatever the application does.
 */
import { ArnFormat, Annotations, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as smsvoice from 'aws-cdk-lib/aws-smsvoice';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct, IConstruct } from 'constructs';
import { configuredNumbers, type PracticeProfile, type StageConfig } from '../lambdas/domain/stage-config';
import { resourceName } from './naming';

/** End User Messaging's service principal (sends to topics, assumes the two-way role). */
export const END_USER_MESSAGING_PRINCIPAL = 'sms-voice.amazonaws.com';

/** The environment variable later stacks set to `originationIdentitiesJson(...)`. */
export const ORIGINATION_IDENTITIES_ENV = 'ORIGINATION_IDENTITIES';

/**
 * Every SMS and every voice event (not MMS, which the system does not send).
 * TEXT_ALL and VOICE_ALL cover the individual types, so a type AWS adds later is
 * delivered too.
 */
export const DELIVERY_EVENT_TYPES: readonly string[] = ['TEXT_ALL', 'VOICE_ALL'];

/** Name of the event destination on the configuration set this stack creates. */
export const DELIVERY_EVENT_DESTINATION = 'delivery-events';

/** What a send uses as `OriginationIdentity`, and the rate it is registered for. */
export interface OriginationIdentity {
  /** A phone number, pool id or ARN (configured), or the ARN of the number this stack requested. */
  readonly identity: string;
  /** Messages per second the identity may send (its registration's throughput). */
  readonly messagesPerSecond: number;
  /** The E.164 numbers behind the identity (replies arrive at them); empty when an id or pool was configured without `numbers`. */
  readonly numbers: readonly string[];
}

/** practiceId → its SMS and voice origination identities. */
export type OriginationIdentities = Readonly<Record<string, { readonly sms: OriginationIdentity; readonly voice: OriginationIdentity }>>;

/**
 * The identities as the JSON an environment variable carries (`ORIGINATION_IDENTITIES`).
 * `scope` is the consumer (a function's stack): tokens of numbers this stack requested
 * are rendered as that stack's cross-stack references.
 */
export function originationIdentitiesJson(scope: IConstruct, identities: OriginationIdentities): string {
  return Stack.of(scope).toJsonString(identities);
}

export interface MessagingStackProps extends StackProps {
  /** The parsed stage config: `messaging` and each practice's `sms` / `voice` shape this stack. */
  readonly config: StageConfig;
  /**
   * The stage key (data stack). Both topics are encrypted with it; its policy gets the
   * statement that lets End User Messaging publish to these two topics.
   */
  readonly key: kms.IKey;
  /**
   * Deletion protection on the numbers this stack requests, and RETAIN on them and on
   * the opt-out list: a released number loses its carrier registration, a deleted opt-out
   * list forgets who said STOP.
   * @default config.retainData
   */
  readonly protectNumbers?: boolean;
}

export class MessagingStack extends Stack {
  /** Inbound SMS (replies, STOP/HELP, keywords) from two-way numbers; Lambdas subscribe later. */
  public readonly inboundSmsTopic: sns.ITopic;
  /** Delivery events (TEXT_* and VOICE_*) from the configuration set's event destination. */
  public readonly deliveryEventsTopic: sns.ITopic;
  /** The role End User Messaging assumes to publish inbound SMS (TwoWayChannelRole). */
  public readonly twoWayChannelRole: iam.IRole;
  /** The configuration set every send names: created here or the configured existing one. */
  public readonly configurationSetName: string;
  /** The opt-out list the SMS numbers use: created here or the configured existing one. */
  public readonly optOutListName: string;
  /** practiceId → SMS and voice origination identities (pass on with `originationIdentitiesJson`). */
  public readonly originationIdentities: OriginationIdentities;
  /** The numbers this stack requested, by construct id (empty when every identity exists already). */
  public readonly phoneNumbers: Readonly<Record<string, smsvoice.CfnPhoneNumber>>;

  constructor(scope: Construct, id: string, props: MessagingStackProps) {
    super(scope, id, props);
    const { config, key } = props;
    const stage = config.stage;
    const protect = props.protectNumbers ?? config.retainData;
    const keep = protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Physical names are fixed so the ARNs the key policy (in the data stack) names are
    // known without referencing this stack, which depends on the data stack.
    const inboundTopicName = resourceName(stage, 'inbound-sms');
    const deliveryTopicName = resourceName(stage, 'delivery-events');
    const configurationSetName = config.messaging.configurationSetName ?? resourceName(stage, 'messaging');

    const inboundTopic = new sns.Topic(this, 'InboundSmsTopic', {
      topicName: inboundTopicName,
      displayName: `Patient Outreach ${stage}: inbound SMS`,
      masterKey: key,
      enforceSSL: true,
    });
    const deliveryTopic = new sns.Topic(this, 'DeliveryEventsTopic', {
      topicName: deliveryTopicName,
      displayName: `Patient Outreach ${stage}: SMS and voice delivery events`,
      masterKey: key,
      enforceSSL: true,
    });

    // Confused-deputy protection: only End User Messaging acting for this account, and for
    // the delivery topic only this stage's configuration set.
    const sourceAccount = { 'aws:SourceAccount': this.account };
    const anyMessagingResource = this.formatArn({ service: 'sms-voice', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME });
    const configurationSetArn = this.formatArn({
      service: 'sms-voice',
      resource: 'configuration-set',
      resourceName: configurationSetName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // Two-way numbers publish with the role below; this statement lets an existing number
    // or pool be wired without a role too. Its ARN (phone-number/…, pool/…) is not known
    // here, hence the account's End User Messaging resources in this region.
    inboundTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EndUserMessagingPublishesInboundSms',
        principals: [new iam.ServicePrincipal(END_USER_MESSAGING_PRINCIPAL)],
        actions: ['sns:Publish'],
        resources: [inboundTopic.topicArn],
        conditions: { StringEquals: sourceAccount, ArnLike: { 'aws:SourceArn': anyMessagingResource } },
      }),
    );
    deliveryTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EndUserMessagingPublishesDeliveryEvents',
        principals: [new iam.ServicePrincipal(END_USER_MESSAGING_PRINCIPAL)],
        actions: ['sns:Publish'],
        resources: [deliveryTopic.topicArn],
        conditions: { StringEquals: sourceAccount, ArnLike: { 'aws:SourceArn': configurationSetArn } },
      }),
    );

    // A service principal publishing to an SSE-KMS topic needs the key policy itself (an
    // event destination has no role). The statement lands in the data stack's key policy;
    // it names only this account, region and the two topic names, so no reference points
    // back at this stack.
    const topicArn = (name: string) => this.formatArn({ service: 'sns', resource: name, arnFormat: ArnFormat.NO_RESOURCE_NAME });
    const { statementAdded } = key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EndUserMessagingPublishesToEncryptedTopics',
        principals: [new iam.ServicePrincipal(END_USER_MESSAGING_PRINCIPAL)],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { ...sourceAccount, 'kms:EncryptionContext:aws:sns:topicArn': [topicArn(inboundTopicName), topicArn(deliveryTopicName)] },
          ArnLike: { 'aws:SourceArn': anyMessagingResource },
        },
      }),
    );
    if (!statementAdded) {
      Annotations.of(this).addWarningV2(
        'outreach:messaging-key-policy',
        `The stage key is imported: add a statement letting ${END_USER_MESSAGING_PRINCIPAL} use kms:GenerateDataKey and kms:Decrypt for ${inboundTopicName} and ${deliveryTopicName}, or End User Messaging cannot publish to them.`,
      );
    }

    // The two-way channel role: publish inbound SMS to the one topic, and the key only as
    // SNS uses it for that topic. A customer-managed policy, not an inline one.
    const twoWayRole = new iam.Role(this, 'TwoWayChannelRole', {
      assumedBy: new iam.ServicePrincipal(END_USER_MESSAGING_PRINCIPAL, { conditions: { StringEquals: sourceAccount } }),
      description: `End User Messaging publishes inbound SMS to ${inboundTopicName}`,
    });
    const twoWayPolicy = new iam.ManagedPolicy(this, 'TwoWayChannelPolicy', {
      description: `Publish to ${inboundTopicName} (encrypted with the stage key) and nothing else`,
      roles: [twoWayRole],
      statements: [
        new iam.PolicyStatement({ sid: 'PublishInboundSms', actions: ['sns:Publish'], resources: [inboundTopic.topicArn] }),
        new iam.PolicyStatement({
          sid: 'UseStageKeyForInboundSmsTopic',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [key.keyArn],
          conditions: {
            StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': inboundTopic.topicArn, 'aws:CalledViaLast': 'sns.amazonaws.com' },
          },
        }),
      ],
    });

    if (config.messaging.configurationSetName === undefined) {
      const configurationSet = new smsvoice.CfnConfigurationSet(this, 'ConfigurationSet', {
        configurationSetName,
        eventDestinations: [
          {
            eventDestinationName: DELIVERY_EVENT_DESTINATION,
            enabled: true,
            matchingEventTypes: [...DELIVERY_EVENT_TYPES],
            snsDestination: { topicArn: deliveryTopic.topicArn },
          },
        ],
      });
      // The topic policy (a child of the topic) must exist before the destination is added.
      configurationSet.node.addDependency(deliveryTopic);
      this.configurationSetName = configurationSet.ref;
    } else {
      this.configurationSetName = configurationSetName;
    }

    if (config.messaging.optOutListName === undefined) {
      const optOutList = new smsvoice.CfnOptOutList(this, 'OptOutList', { optOutListName: resourceName(stage, 'opt-outs') });
      optOutList.applyRemovalPolicy(keep);
      this.optOutListName = optOutList.ref;
    } else {
      this.optOutListName = config.messaging.optOutListName;
    }

    // Construct ids of numbers are API: a changed id releases the number (and its
    // registration) and requests a new one.
    const phoneNumbers: Record<string, smsvoice.CfnPhoneNumber> = {};
    const identities: Record<string, { sms: OriginationIdentity; voice: OriginationIdentity }> = {};
    for (const practice of config.practices) {
      const prefix = pascalCase(practice.id);
      let smsNumber: smsvoice.CfnPhoneNumber | undefined;
      if (practice.sms.provision) {
        smsNumber = new smsvoice.CfnPhoneNumber(this, `${prefix}SmsNumber`, {
          numberType: practice.sms.provision.numberType,
          isoCountryCode: practice.sms.provision.isoCountryCode,
          numberCapabilities: ['SMS'],
          mandatoryKeywords: keywordReplies(practice),
          optOutListName: this.optOutListName,
          selfManagedOptOutsEnabled: false,
          twoWay: { enabled: true, channelArn: inboundTopic.topicArn, channelRole: twoWayRole.roleArn },
          deletionProtectionEnabled: protect,
        });
        // The role must be able to publish before two-way is switched on.
        smsNumber.node.addDependency(twoWayPolicy, inboundTopic);
      }
      let voiceNumber: smsvoice.CfnPhoneNumber | undefined;
      if (practice.voice.provision) {
        // Voice only: numbers that both text and call get flagged as spam. No two-way and
        // no opt-out list: STOP is an SMS keyword; call consent is the tracker's.
        voiceNumber = new smsvoice.CfnPhoneNumber(this, `${prefix}VoiceNumber`, {
          numberType: practice.voice.provision.numberType,
          isoCountryCode: practice.voice.provision.isoCountryCode,
          numberCapabilities: ['VOICE'],
          mandatoryKeywords: keywordReplies(practice),
          deletionProtectionEnabled: protect,
        });
      }
      for (const [number, what] of [
        [smsNumber, 'SMS'],
        [voiceNumber, 'Voice'],
      ] as const) {
        if (!number) continue;
        number.applyRemovalPolicy(keep);
        phoneNumbers[number.node.id] = number;
        new CfnOutput(this, `${number.node.id}Output`, {
          value: number.attrPhoneNumber,
          description: `${what} number requested for ${practice.id}; its carrier registration is an ops task`,
        });
      }
      identities[practice.id] = {
        sms: originationIdentity(practice.id, 'sms', practice.sms, smsNumber),
        voice: originationIdentity(practice.id, 'voice', practice.voice, voiceNumber),
      };
      if (identities[practice.id]!.sms.numbers.length === 0) {
        Annotations.of(this).addWarningV2(
          'outreach:reply-numbers',
          `practices[${practice.id}].sms.originationIdentity is an id, pool or ARN without sms.numbers: replies to it (STOP included) cannot be matched to ${practice.id} and are kept as unmatched for staff. Give the E.164 numbers behind it.`,
        );
      }
    }

    this.inboundSmsTopic = inboundTopic;
    this.deliveryEventsTopic = deliveryTopic;
    this.twoWayChannelRole = twoWayRole;
    this.originationIdentities = identities;
    this.phoneNumbers = phoneNumbers;

    new CfnOutput(this, 'InboundSmsTopicArn', { value: inboundTopic.topicArn, description: '--two-way-channel-arn for existing numbers' });
    new CfnOutput(this, 'TwoWayChannelRoleArn', { value: twoWayRole.roleArn, description: '--two-way-channel-role for existing numbers' });
    new CfnOutput(this, 'DeliveryEventsTopicArn', { value: deliveryTopic.topicArn, description: 'SNS destination of the delivery-event destination' });
    new CfnOutput(this, 'ConfigurationSetName', { value: this.configurationSetName, description: 'The configuration set every send names' });
    new CfnOutput(this, 'OptOutListName', { value: this.optOutListName, description: '--opt-out-list-name for existing numbers' });
  }
}

/**
 * The HELP and STOP replies End User Messaging sends for a requested number (carriers
 * require both): who is texting, how to reach the practice, how to stop.
 */
export function keywordReplies(practice: PracticeProfile): smsvoice.CfnPhoneNumber.MandatoryKeywordsProperty {
  return {
    help: {
      message: `${practice.displayName}: appointment and health outreach messages. For help call ${practice.callbackNumber}. Msg & data rates may apply. Reply STOP to opt out.`,
    },
    stop: {
      message: `${practice.displayName}: you are unsubscribed and will receive no more messages from this number. Call ${practice.callbackNumber} with questions.`,
    },
  };
}

/** The configured identity, or the ARN of the number requested for it. */
function originationIdentity(
  practiceId: string,
  channel: 'sms' | 'voice',
  configured: PracticeProfile['sms'],
  requested: smsvoice.CfnPhoneNumber | undefined,
): OriginationIdentity {
  const identity = requested?.attrArn ?? configured.originationIdentity;
  // The stage config schema already demands one of the two; this keeps the type honest.
  if (identity === undefined) throw new Error(`practice ${practiceId}: ${channel} has neither originationIdentity nor provision`);
  const numbers = requested ? [requested.attrPhoneNumber] : configuredNumbers(configured);
  return { identity, messagesPerSecond: configured.messagesPerSecond, numbers };
}

/** `sunrise-family` → `SunriseFamily` (construct ids and output names). */
function pascalCase(id: string): string {
  return id
    .split('-')
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
