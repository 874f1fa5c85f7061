/**
 * Builds the real app for Template assertions: same feature flags as `cdk synth`
 * (cdk.json context), cdk-nag on, esbuild bundling and CloudFormation's built-in
 * validation skipped so a synth takes about a second.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import type { StageConfig } from '../../../lambdas/domain/stage-config';
import { buildOutreachApp, loadStageConfig, type OutreachStacks } from '../../../lib/outreach-app';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SAMPLE_CONFIG_FILE = path.join(REPO_ROOT, 'samples', 'stage.sample.json');

/** The feature flags and settings `cdk synth` uses, without the stage config path. */
export function cdkJsonContext(): Record<string, unknown> {
  const { context } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const { stageConfig: _ignored, ...flags } = context;
  return flags;
}

/** A fresh App with cdk.json's flags; `bundle: true` runs esbuild like `cdk synth` does. */
export function testApp(options: { bundle?: boolean } = {}): App {
  return new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-cdk-')),
    context: { ...cdkJsonContext(), ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    builtinCloudFormationValidation: false,
  });
}

/** The sample stage config, parsed; `change` edits a copy of the raw JSON before parsing. */
export function sampleConfig(change?: (raw: Record<string, any>) => void): StageConfig {
  if (!change) return loadStageConfig(SAMPLE_CONFIG_FILE);
  const raw = JSON.parse(fs.readFileSync(SAMPLE_CONFIG_FILE, 'utf8')) as Record<string, any>;
  change(raw);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-config-')), 'stage.json');
  fs.writeFileSync(file, JSON.stringify(raw));
  return loadStageConfig(file);
}

export interface SynthesisedOutreach {
  readonly app: App;
  readonly stacks: OutreachStacks;
  readonly assembly: cxapi.CloudAssembly;
  readonly data: Template;
  readonly import: Template;
  readonly messaging: Template;
  readonly outreach: Template;
}

/**
 * Builds and synthesises the whole app once (cdk-nag runs as part of it). Bundling is
 * skipped, so the config file handed to the functions is only recorded, never copied.
 */
export function synthOutreach(config: StageConfig = sampleConfig()): SynthesisedOutreach {
  const app = testApp();
  const stacks = buildOutreachApp(app, config, SAMPLE_CONFIG_FILE);
  const assembly = app.synth();
  const template = (stack: Stack) => Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
  return {
    app,
    stacks,
    assembly,
    data: template(stacks.data),
    import: template(stacks.import),
    messaging: template(stacks.messaging),
    outreach: template(stacks.outreach),
  };
}

export type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Logical id of the Lambda function with this physical name. */
export function functionLogicalId(template: Template, functionName: string): string {
  const found = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: functionName } }));
  if (found.length !== 1) throw new Error(`expected one function named ${functionName}, found ${found.length}`);
  return found[0];
}

/** Every statement of every identity policy attached to the role of the named function. */
export function statementsOfFunction(template: Template, functionName: string): Statement[] {
  const fn = template.toJSON().Resources[functionLogicalId(template, functionName)];
  const roleLogicalId: string = fn.Properties.Role['Fn::GetAtt'][0];
  return statementsOfRole(template, roleLogicalId);
}

export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** Statements of every identity policy in the template. */
export function allStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** Actions of the statements that allow them. */
export function allowedActions(statements: Statement[]): string[] {
  return statements.filter((s) => s.Effect === 'Allow').flatMap((s) => asArray(s.Action));
}

const STATES_CONTEXT = 'kms:EncryptionContext:aws:states:stateMachineArn';
const LOGS_CONTEXT = 'kms:EncryptionContext:SourceArn';

/** Whether a statement uses KMS only inside one state machine's (or log delivery's) encryption context. */
export function isWorkflowKeyStatement(s: Statement): boolean {
  const context = (s.Condition as any)?.StringEquals ?? {};
  return asArray(s.Action).every((a) => a.startsWith('kms:')) && (STATES_CONTEXT in context || LOGS_CONTEXT in context);
}

/** The state machine (as the template refers to it) whose encryption context a KMS statement is limited to. */
export function workflowKeyContext(s: Statement): unknown {
  return (s.Condition as any)?.StringEquals?.[STATES_CONTEXT];
}

/**
 * Every method of the template's REST API as `VERB /resource/path` (the path template API
 * Gateway hands the function as `resource`) → the method's properties.
 */
export function apiRoutes(template: Template): Record<string, Record<string, any>> {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
  const pathOf = (parent: unknown): string => {
    const id = (parent as { Ref?: string }).Ref;
    // The API's root resource is named with Fn::GetAtt [api, RootResourceId].
    if (!id || resources[id]?.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf(resources[id]!.Properties.ParentId)}/${resources[id]!.Properties.PathPart}`;
  };
  const routes: Record<string, Record<string, any>> = {};
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    const route = `${r.Properties.HttpMethod} ${pathOf(r.Properties.ResourceId) || '/'}`;
    if (routes[route]) throw new Error(`two methods for ${route}`);
    routes[route] = r.Properties;
  }
  return routes;
}
