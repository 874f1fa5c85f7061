/**
 * The staff API: a regional REST API whose every method needs IAM (SigV4) authorisation, in
 * front of one function (staff-api.ts routes: the inbox, segments, broadcasts and runs). Access logs (caller, method, path, status; no
 * bodies, which carry message text) to a log group encrypted with the stage key, X-Ray
 * tracing, request validation.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import type { OutreachFunction } from './outreach-function';

export interface StaffApiProps {
  readonly stage: string;
  readonly key: kms.IKey;
  readonly handler: OutreachFunction;
  readonly removalPolicy: RemovalPolicy;
}

export class StaffApi extends Construct {
  public readonly api: apigateway.RestApi;

  constructor(scope: Construct, id: string, props: StaffApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { encryptionKey: props.key, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: props.removalPolicy });
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `outreach-${props.stage}-staff`,
      description: 'Patient Outreach staff API: flagged replies, threads, one-off texts, segments, broadcasts and runs (IAM-authorised)',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // No account-wide logging role (it needs an AWS managed policy and changes every API of the
      // account): access logs record each request; execution logs stay off.
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.OFF,
        // Never request or response bodies in logs: they carry message text.
        dataTraceEnabled: false,
        metricsEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields({ caller: true, httpMethod: true, ip: false, protocol: true, requestTime: true, resourcePath: true, responseLength: true, status: true, user: true }),
      },
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
    });
    // Path parameters checked by API Gateway; the body's shape by the handler (zod), which answers what is wrong.
    const validator = this.api.addRequestValidator('Validator', { validateRequestParameters: true, validateRequestBody: true });
    const integration = new apigateway.LambdaIntegration(props.handler.function, { timeout: Duration.seconds(29) });
    const practice = this.api.root.addResource('practices').addResource('{practiceId}');
    const flags = practice.addResource('flags');
    const path = (...names: string[]) => ({ requestValidator: validator, requestParameters: Object.fromEntries(names.map((n) => [`method.request.path.${n}`, true])) });
    flags.addMethod('GET', integration, path('practiceId'));
    flags.addResource('{flagId}').addResource('handled').addMethod('POST', integration, path('practiceId', 'flagId'));
    const contact = practice.addResource('contacts').addResource('{contactId}');
    contact.addResource('thread').addMethod('GET', integration, path('practiceId', 'contactId'));
    contact.addResource('messages').addMethod('POST', integration, path('practiceId', 'contactId'));
    contact.addResource('consent').addMethod('POST', integration, path('practiceId', 'contactId'));
    contact.addResource('opt-out').addMethod('POST', integration, path('practiceId', 'contactId'));
    // Segments, broadcasts and their runs (lambdas/handlers/staff-api.ts routes by these resource paths).
    const segments = practice.addResource('segments');
    segments.addMethod('GET', integration, path('practiceId'));
    const segment = segments.addResource('{name}');
    segment.addMethod('PUT', integration, path('practiceId', 'name'));
    segment.addResource('count').addMethod('GET', integration, path('practiceId', 'name'));
    practice.addResource('broadcasts').addResource('{name}').addResource('start').addMethod('POST', integration, path('practiceId', 'name'));
    const runs = practice.addResource('runs');
    runs.addMethod('GET', integration, path('practiceId'));
    const run = runs.addResource('{runId}');
    run.addMethod('GET', integration, path('practiceId', 'runId'));
    run.addResource('cancel').addMethod('POST', integration, path('practiceId', 'runId'));

    acknowledge(this.api, 'AwsSolutions-APIG3', 'IAM-authorised API for the practices\' own staff tools: every request is SigV4-signed by a principal of this account; a WAF web ACL would add cost without narrowing who can call it.');
    acknowledge(this.api, 'AwsSolutions-COG4', 'Authorised with IAM (SigV4) by design: staff tools run under the practice\'s AWS identities, not a Cognito user pool.');
    acknowledge(this.api, 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', 'Responses are per person and change with every reply and message: caching them would serve stale threads and keep PHI in a cache; the cache is off.');
    acknowledge(this.api, 'HIPAA.Security-APIGWSSLEnabled', 'The only backend is a Lambda integration (AWS service, TLS); a client certificate authenticates HTTP backends, of which there are none.');
    const noExecutionLogs =
      'Access logs (encrypted with the stage key) record every request: caller, method, path, status. Execution logs need an account-wide API Gateway role with an AWS managed policy that would change logging for every API in the account, and at INFO they record request detail; they stay off.';
    acknowledge(this.api, 'AwsSolutions-APIG6', noExecutionLogs);
    acknowledge(this.api, 'HIPAA.Security-APIGWExecutionLoggingEnabled', noExecutionLogs);
  }
}
