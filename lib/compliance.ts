/**
 * cdk-nag on every synth, and the helpers that acknowledge a finding precisely.
 *
 * cdk-nag 3 is a CDK policy-validation plugin: its findings land in the synth's
 * validation report and any finding (error or warning) fails the synth. An
 * acknowledgement names one finding id on one construct and carries the reason; there
 * is no prefix or pattern matching, so wildcard-resource findings (AwsSolutions-IAM5)
 * have to be named with the exact resource text cdk-nag prints. `iamWildcardFinding`
 * computes that text the way cdk-nag does, so acknowledgements follow the template
 * instead of hard-coding logical ids or export names.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
// Not re-exported from cdk-nag's index; it is the exact function IAM5 uses to print resources.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/** Runs the AwsSolutions and HIPAA Security packs on the whole app; findings fail the synth. */
export function enableComplianceChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), new HIPAASecurityChecks(app, { verbose: true }));
}

/** Acknowledges one finding on one construct (and its children). The reason is required and shows in the report. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`acknowledgement of ${id} needs a specific reason`);
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * A value owned by another stack as `consumer` will see it after synthesis: CDK turns a
 * cross-stack attribute into an `Fn::ImportValue` of an export it names itself.
 * `Stack.exportValue` returns that very import (documented: same name as the automatic
 * reference), so cdk-nag's text for it can be computed before synthesis. This relies on
 * strong (Export/ImportValue) references, which cdk.json pins; should that change, the
 * computed ids stop matching and the synth fails on the unacknowledged findings.
 */
export function valueSeenFrom(consumer: Stack, owner: IConstruct, value: string): string {
  const producer = Stack.of(owner);
  return producer === consumer ? value : producer.exportValue(value);
}

/** The AwsSolutions-IAM5 finding id for a wildcard resource in a policy of `consumer`. */
export function iamWildcardResourceFinding(consumer: Stack, resourceArn: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(consumer.resolve(resourceArn))}]`;
}

/** The AwsSolutions-IAM5 finding id for a wildcard action such as `s3:GetObject*`. */
export function iamWildcardActionFinding(action: string): string {
  return `AwsSolutions-IAM5[Action::${action}]`;
}
