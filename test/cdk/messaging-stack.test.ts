import * as fs from 'node:fs';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { DELIVERY_EVENT_TYPES, originationIdentitiesJson } from '../../lib/messaging-stack';
import { asArray, sampleConfig, synthOutreach, type Statement, type SynthesisedOutreach } from './support/outreach-app';

// Three synths for the whole file (cdk-nag runs in each):
// - the sample dev stage: every number exists already, configuration set and opt-out list are created;
// - a prod stage that requests numbers (both of sunrise-family's, lakeside-pediatrics' voice number);
// - a stage that names an existing configuration set and opt-out list and requests one SMS number.
let sample: SynthesisedOutreach;
let provisioned: SynthesisedOutreach;
let existing: SynthesisedOutreach;
beforeAll(() => {
  sample = synthOutreach();
  provisioned = synthOutreach(
    sampleConfig((raw) => {
      raw.stage = 'prod';
      raw.retainData = true;
      raw.practices[0].sms = { provision: { numberType: 'TEN_DLC' }, messagesPerSecond: 1 };
      raw.practices[0].voice = { provision: { numberType: 'LONG_CODE' } };
      raw.practices[1].voice = { provision: { numberType: 'TOLL_FREE' }, messagesPerSecond: 3 };
    }),
  );
  existing = synthOutreach(
    sampleConfig((raw) => {
      raw.messaging = { configurationSetName: 'ops-managed-set', optOutListName: 'ops-managed-opt-outs' };
      raw.practices[0].sms = { provision: { numberType: 'TOLL_FREE' }, messagesPerSecond: 3 };
    }),
  );
});

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string };

function logicalIdOf(template: Template, type: string, props: Record<string, unknown> = {}): string {
  const found = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  if (found.length !== 1) throw new Error(`expected one ${type} matching ${JSON.stringify(props)}, found ${found.length}`);
  return found[0];
}
const resource = (template: Template, logicalId: string): Resource => template.toJSON().Resources[logicalId];
const inboundTopicId = (t: Template) => logicalIdOf(t, 'AWS::SNS::Topic', { TopicName: Match.stringLikeRegexp('-inbound-sms$') });
const deliveryTopicId = (t: Template) => logicalIdOf(t, 'AWS::SNS::Topic', { TopicName: Match.stringLikeRegexp('-delivery-events$') });
const roleId = (t: Template) => logicalIdOf(t, 'AWS::IAM::Role');
const phoneNumbers = (t: Template) => Object.values(t.findResources('AWS::SMSVOICE::PhoneNumber')) as Resource[];
const numberOf = (t: Template, logicalIdPrefix: string): Resource => {
  const ids = Object.keys(t.findResources('AWS::SMSVOICE::PhoneNumber')).filter((id) => id.startsWith(logicalIdPrefix));
  if (ids.length !== 1) throw new Error(`expected one number ${logicalIdPrefix}, found ${ids.length}`);
  return resource(t, ids[0]);
};
const topicPolicyStatements = (t: Template, topicId: string): Array<Record<string, any>> => {
  const policies = Object.values(t.findResources('AWS::SNS::TopicPolicy', { Properties: { Topics: [{ Ref: topicId }] } }));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
};
const outputs = (t: Template) => t.toJSON().Outputs as Record<string, { Value: unknown }>;

/** The data stack value an `Fn::ImportValue` in the messaging template stands for. */
function importedFromData(synth: SynthesisedOutreach, value: unknown): unknown {
  const exportName = (value as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
  if (typeof exportName !== 'string') throw new Error(`not an import: ${JSON.stringify(value)}`);
  const output = Object.values(synth.data.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>).find(
    (o) => o.Export?.Name === exportName,
  );
  if (!output) throw new Error(`the data stack exports no ${exportName}`);
  return output.Value;
}
const dataKeyArn = (synth: SynthesisedOutreach) => ({ 'Fn::GetAtt': [logicalIdOf(synth.data, 'AWS::KMS::Key'), 'Arn'] });

/** `arn:<partition>:<service>:us-east-1:<account>:<rest>` as CDK renders it for an env-agnostic account. */
const arnJoin = (service: string, rest: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:us-east-1:`, { Ref: 'AWS::AccountId' }, `:${rest}`]],
});
const thisAccount = { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } };

describe('GIVEN the sample stage (existing numbers, no messaging section) WHEN the messaging stack is synthesised', () => {
  test('THEN it is the stack Outreach-dev-Messaging and deploys after the data stack', () => {
    expect(sample.stacks.messaging.stackName).toBe('Outreach-dev-Messaging');
    expect(sample.stacks.messaging.dependencies).toContain(sample.stacks.data);
  });

  test('THEN a configuration set is created whose event destination sends every SMS and voice event to the delivery topic', () => {
    sample.messaging.hasResourceProperties('AWS::SMSVOICE::ConfigurationSet', {
      ConfigurationSetName: 'outreach-dev-messaging',
      EventDestinations: [
        {
          EventDestinationName: 'delivery-events',
          Enabled: true,
          MatchingEventTypes: ['TEXT_ALL', 'VOICE_ALL'],
          SnsDestination: { TopicArn: { Ref: deliveryTopicId(sample.messaging) } },
        },
      ],
    });
    expect(DELIVERY_EVENT_TYPES).toEqual(['TEXT_ALL', 'VOICE_ALL']);
  });

  test('THEN the configuration set is created only after the delivery topic policy lets End User Messaging publish', () => {
    const configurationSet = resource(sample.messaging, logicalIdOf(sample.messaging, 'AWS::SMSVOICE::ConfigurationSet'));
    const topicPolicy = logicalIdOf(sample.messaging, 'AWS::SNS::TopicPolicy', { Topics: [{ Ref: deliveryTopicId(sample.messaging) }] });
    expect(configurationSet.DependsOn).toContain(topicPolicy);
  });

  test('THEN an opt-out list outreach-<stage>-opt-outs is created', () => {
    sample.messaging.hasResourceProperties('AWS::SMSVOICE::OptOutList', { OptOutListName: 'outreach-dev-opt-outs' });
  });

  test('THEN both topics are encrypted with the data stack key', () => {
    for (const topicId of [inboundTopicId(sample.messaging), deliveryTopicId(sample.messaging)]) {
      const keyId = resource(sample.messaging, topicId).Properties.KmsMasterKeyId;
      expect(importedFromData(sample, keyId)).toEqual(dataKeyArn(sample));
    }
  });

  test('THEN both topic policies deny publishing without TLS', () => {
    for (const topicId of [inboundTopicId(sample.messaging), deliveryTopicId(sample.messaging)]) {
      expect(topicPolicyStatements(sample.messaging, topicId)).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: { Ref: topicId },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  test("THEN End User Messaging may publish delivery events only for this account and this stage's configuration set", () => {
    const topicId = deliveryTopicId(sample.messaging);
    const allows = topicPolicyStatements(sample.messaging, topicId).filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'sms-voice.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: {
          StringEquals: thisAccount,
          ArnLike: { 'aws:SourceArn': arnJoin('sms-voice', 'configuration-set/outreach-dev-messaging') },
        },
      }),
    ]);
  });

  test("THEN End User Messaging may publish inbound SMS only on behalf of this account's End User Messaging resources", () => {
    const topicId = inboundTopicId(sample.messaging);
    const allows = topicPolicyStatements(sample.messaging, topicId).filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'sms-voice.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { StringEquals: thisAccount, ArnLike: { 'aws:SourceArn': arnJoin('sms-voice', '*') } },
      }),
    ]);
  });

  test('THEN the stage key lets End User Messaging encrypt for these two topics only, on behalf of this account', () => {
    sample.data.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'EndUserMessagingPublishesToEncryptedTopics',
            Effect: 'Allow',
            Principal: { Service: 'sms-voice.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: '*',
            Condition: {
              StringEquals: {
                ...thisAccount,
                'kms:EncryptionContext:aws:sns:topicArn': [arnJoin('sns', 'outreach-dev-inbound-sms'), arnJoin('sns', 'outreach-dev-delivery-events')],
              },
              ArnLike: { 'aws:SourceArn': arnJoin('sms-voice', '*') },
            },
          },
        ]),
      },
    });
  });

  test('THEN the two-way channel role can be assumed only by End User Messaging acting for this account', () => {
    const role = resource(sample.messaging, roleId(sample.messaging));
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'sms-voice.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: thisAccount } },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('THEN the two-way role may only publish to the inbound topic and use the stage key for that topic', () => {
    const topicId = inboundTopicId(sample.messaging);
    const policies = Object.values(
      sample.messaging.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: roleId(sample.messaging) }] } }),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as Statement[];
    expect(statements.map((s) => ({ ...s, Action: asArray(s.Action).sort() }))).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: ['sns:Publish'], Resource: { Ref: topicId } }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Condition: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': { Ref: topicId }, 'aws:CalledViaLast': 'sns.amazonaws.com' } },
      }),
    ]);
    expect(statements[0].Condition).toBeUndefined();
    expect(importedFromData(sample, statements[1].Resource)).toEqual(dataKeyArn(sample));
    // No other identity policy anywhere in the stack (no inline or default policies).
    expect(sample.messaging.findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('THEN no phone number is requested for identities that already exist', () => {
    expect(sample.messaging.findResources('AWS::SMSVOICE::PhoneNumber')).toEqual({});
  });

  test('THEN the origination identities are the configured ones with their registered rates, each its own number', () => {
    expect(sample.stacks.messaging.originationIdentities).toEqual({
      'sunrise-family': {
        sms: { identity: '+12065550188', messagesPerSecond: 1, numbers: ['+12065550188'] },
        voice: { identity: '+12065550177', messagesPerSecond: 1, numbers: ['+12065550177'] },
      },
      'lakeside-pediatrics': {
        sms: { identity: '+18885550111', messagesPerSecond: 3, numbers: ['+18885550111'] },
        voice: { identity: '+13125550199', messagesPerSecond: 1, numbers: ['+13125550199'] },
      },
    });
    const json = originationIdentitiesJson(sample.stacks.messaging, sample.stacks.messaging.originationIdentities);
    expect(JSON.parse(sample.stacks.messaging.resolve(json))).toEqual(sample.stacks.messaging.originationIdentities);
  });

  test('THEN the stack outputs what ops need to wire existing numbers: topic ARNs, role, configuration set and opt-out list', () => {
    const out = outputs(sample.messaging);
    expect(out.InboundSmsTopicArn.Value).toEqual({ Ref: inboundTopicId(sample.messaging) });
    expect(out.DeliveryEventsTopicArn.Value).toEqual({ Ref: deliveryTopicId(sample.messaging) });
    expect(out.TwoWayChannelRoleArn.Value).toEqual({ 'Fn::GetAtt': [roleId(sample.messaging), 'Arn'] });
    expect(out.ConfigurationSetName.Value).toEqual({ Ref: logicalIdOf(sample.messaging, 'AWS::SMSVOICE::ConfigurationSet') });
    expect(out.OptOutListName.Value).toEqual({ Ref: logicalIdOf(sample.messaging, 'AWS::SMSVOICE::OptOutList') });
  });

  test('THEN a dev stage (retainData false) can delete its opt-out list with the stack', () => {
    sample.messaging.hasResource('AWS::SMSVOICE::OptOutList', { DeletionPolicy: 'Delete' });
  });
});

describe('GIVEN practices whose numbers the stack requests (provision) WHEN the messaging stack is synthesised', () => {
  test('THEN the SMS number is SMS-only, two-way to the inbound topic through the role, and on the opt-out list', () => {
    const t = provisioned.messaging;
    const sms = numberOf(t, 'SunriseFamilySmsNumber');
    expect(sms.Properties).toEqual(
      expect.objectContaining({
        NumberType: 'TEN_DLC',
        IsoCountryCode: 'US',
        NumberCapabilities: ['SMS'],
        TwoWay: { Enabled: true, ChannelArn: { Ref: inboundTopicId(t) }, ChannelRole: { 'Fn::GetAtt': [roleId(t), 'Arn'] } },
        OptOutListName: { Ref: logicalIdOf(t, 'AWS::SMSVOICE::OptOutList') },
      }),
    );
  });

  test('THEN self-managed opt-outs are off, so End User Messaging itself honours STOP', () => {
    expect(numberOf(provisioned.messaging, 'SunriseFamilySmsNumber').Properties.SelfManagedOptOutsEnabled).toBe(false);
  });

  test('THEN HELP and STOP replies name the practice and its callback number', () => {
    for (const number of phoneNumbers(provisioned.messaging)) {
      const { HELP, STOP } = number.Properties.MandatoryKeywords;
      expect(HELP.Message).toMatch(/^(Sunrise Family Health|Lakeside Pediatrics): .*call \+1\d{10}.*Reply STOP to opt out\.$/);
      expect(STOP.Message).toMatch(/^(Sunrise Family Health|Lakeside Pediatrics): you are unsubscribed/);
    }
    expect(numberOf(provisioned.messaging, 'SunriseFamilySmsNumber').Properties.MandatoryKeywords.HELP.Message).toContain('+12065550143');
  });

  test('THEN two-way is switched on only after the role can publish', () => {
    const t = provisioned.messaging;
    const policyId = logicalIdOf(t, 'AWS::IAM::ManagedPolicy');
    expect(numberOf(t, 'SunriseFamilySmsNumber').DependsOn).toEqual(expect.arrayContaining([policyId, inboundTopicId(t)]));
  });

  test('THEN voice numbers are voice-only, with no two-way channel and no opt-out list', () => {
    const t = provisioned.messaging;
    for (const [prefix, numberType] of [
      ['SunriseFamilyVoiceNumber', 'LONG_CODE'],
      ['LakesidePediatricsVoiceNumber', 'TOLL_FREE'],
    ]) {
      const voice = numberOf(t, prefix);
      expect(voice.Properties).toEqual(expect.objectContaining({ NumberType: numberType, NumberCapabilities: ['VOICE'] }));
      expect(voice.Properties.TwoWay).toBeUndefined();
      expect(voice.Properties.OptOutListName).toBeUndefined();
    }
  });

  test('THEN only the provisioned identities get numbers; an existing identity next to them gets none', () => {
    const capabilities = phoneNumbers(provisioned.messaging).map((n) => n.Properties.NumberCapabilities.join('+'));
    expect(capabilities.sort()).toEqual(['SMS', 'VOICE', 'VOICE']);
  });

  test('THEN a stage that retains data protects requested numbers and the opt-out list from deletion', () => {
    for (const number of phoneNumbers(provisioned.messaging)) {
      expect(number.Properties.DeletionProtectionEnabled).toBe(true);
      expect(number.DeletionPolicy).toBe('Retain');
    }
    provisioned.messaging.hasResource('AWS::SMSVOICE::OptOutList', { DeletionPolicy: 'Retain' });
  });

  test('THEN the origination identities are the requested numbers ARNs (and the configured identity where one exists)', () => {
    const stack = provisioned.stacks.messaging;
    const ids = stack.resolve(stack.originationIdentities);
    const t = provisioned.messaging;
    const attOf = (prefix: string, attribute: string) => ({ 'Fn::GetAtt': [Object.keys(t.findResources('AWS::SMSVOICE::PhoneNumber')).find((id) => id.startsWith(prefix)), attribute] });
    const requested = (prefix: string, messagesPerSecond: number) => ({ identity: attOf(prefix, 'Arn'), messagesPerSecond, numbers: [attOf(prefix, 'PhoneNumber')] });
    // The requested numbers' E.164 numbers go along, so replies to them find their practice.
    expect(ids).toEqual({
      'sunrise-family': { sms: requested('SunriseFamilySmsNumber', 1), voice: requested('SunriseFamilyVoiceNumber', 1) },
      'lakeside-pediatrics': {
        sms: { identity: '+18885550111', messagesPerSecond: 3, numbers: ['+18885550111'] },
        voice: requested('LakesidePediatricsVoiceNumber', 3),
      },
    });
  });

  test('THEN an SMS identity given as an id without the numbers behind it is warned about at synth (its replies could not find their practice)', () => {
    const warningsOf = (change: (raw: any) => void) =>
      Annotations.fromStack(synthOutreach(sampleConfig(change)).stacks.messaging).findWarning('*', Match.stringLikeRegexp('replies to it \\(STOP included\\) cannot be matched'));
    expect(warningsOf((raw) => (raw.practices[0].sms = { originationIdentity: 'phone-0123456789abcdef' }))).toHaveLength(1);
    expect(warningsOf((raw) => (raw.practices[0].sms = { originationIdentity: 'phone-0123456789abcdef', numbers: ['+12065550188'] }))).toHaveLength(0);
    expect(Annotations.fromStack(sample.stacks.messaging).findWarning('*', Match.stringLikeRegexp('cannot be matched'))).toHaveLength(0);
  });

  test('THEN originationIdentitiesJson renders requested numbers as references, ready for an environment variable', () => {
    const stack = provisioned.stacks.messaging;
    const rendered = JSON.stringify(stack.resolve(originationIdentitiesJson(stack, stack.originationIdentities)));
    expect(rendered).toContain('"Fn::GetAtt":["SunriseFamilySmsNumber');
    expect(rendered).toContain('+18885550111');
  });

  test('THEN each requested number is a stack output', () => {
    const out = outputs(provisioned.messaging);
    expect(out.SunriseFamilySmsNumberOutput.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SunriseFamilySmsNumber/), 'PhoneNumber'] });
    expect(out.LakesidePediatricsVoiceNumberOutput.Value).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^LakesidePediatricsVoiceNumber/), 'PhoneNumber'],
    });
  });
});

describe('GIVEN an existing configuration set and opt-out list in the config WHEN the messaging stack is synthesised', () => {
  test('THEN neither a configuration set nor an opt-out list is created', () => {
    expect(existing.messaging.findResources('AWS::SMSVOICE::ConfigurationSet')).toEqual({});
    expect(existing.messaging.findResources('AWS::SMSVOICE::OptOutList')).toEqual({});
  });

  test('THEN the configured names are exposed and output', () => {
    expect(existing.stacks.messaging.configurationSetName).toBe('ops-managed-set');
    expect(existing.stacks.messaging.optOutListName).toBe('ops-managed-opt-outs');
    expect(outputs(existing.messaging).ConfigurationSetName.Value).toBe('ops-managed-set');
    expect(outputs(existing.messaging).OptOutListName.Value).toBe('ops-managed-opt-outs');
  });

  test('THEN a requested SMS number joins the existing opt-out list', () => {
    expect(numberOf(existing.messaging, 'SunriseFamilySmsNumber').Properties).toEqual(
      expect.objectContaining({ NumberType: 'TOLL_FREE', OptOutListName: 'ops-managed-opt-outs', SelfManagedOptOutsEnabled: false }),
    );
  });

  test('THEN the delivery topic accepts events from the existing configuration set', () => {
    const topicId = deliveryTopicId(existing.messaging);
    expect(topicPolicyStatements(existing.messaging, topicId)).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'sms-voice.amazonaws.com' },
        Condition: { StringEquals: thisAccount, ArnLike: { 'aws:SourceArn': arnJoin('sms-voice', 'configuration-set/ops-managed-set') } },
      }),
    );
  });
});

describe('GIVEN each messaging variant WHEN the app is synthesised with cdk-nag', () => {
  test('THEN the AwsSolutions and HIPAA Security packs report no findings', () => {
    for (const synth of [sample, provisioned, existing]) {
      // synth() would already have thrown with the full report on any finding.
      const report = JSON.parse(fs.readFileSync(path.join(synth.assembly.directory, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports).toEqual([]);
    }
  });

  test('THEN the messaging stack needs no acknowledgement', () => {
    for (const synth of [sample, provisioned, existing]) {
      const acknowledged = synth.stacks.messaging.node
        .findAll()
        .filter((c) => c.node.metadata.some((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
        .map((c) => c.node.path);
      expect(acknowledged).toEqual([]);
    }
  });
});
