/**
 * The staff API in the outreach stack: IAM on every method, the inbox, segment, broadcast and run routes to one function,
 * access logs encrypted with the stage key and no request or response data logged, tracing.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { allowedActions, apiRoutes, functionLogicalId, statementsOfFunction, synthOutreach } from './support/outreach-app';

let template: Template;
beforeAll(() => {
  template = synthOutreach().outreach;
});

describe('GIVEN the sample stage WHEN the outreach stack is synthesised', () => {
  test('THEN every method of the staff API needs IAM (SigV4), validates its path parameters and goes to the staff-api function', () => {
    const routes = apiRoutes(template);
    // Exactly the routes lambdas/handlers/staff-api.ts serves (it switches on "VERB resource").
    expect(Object.keys(routes).sort()).toEqual(
      [
        'GET /practices/{practiceId}/flags',
        'POST /practices/{practiceId}/flags/{flagId}/handled',
        'GET /practices/{practiceId}/contacts/{contactId}/thread',
        'POST /practices/{practiceId}/contacts/{contactId}/messages',
        'POST /practices/{practiceId}/contacts/{contactId}/consent',
        'POST /practices/{practiceId}/contacts/{contactId}/opt-out',
        'GET /practices/{practiceId}/segments',
        'PUT /practices/{practiceId}/segments/{name}',
        'GET /practices/{practiceId}/segments/{name}/count',
        'POST /practices/{practiceId}/broadcasts/{name}/start',
        'GET /practices/{practiceId}/runs',
        'GET /practices/{practiceId}/runs/{runId}',
        'POST /practices/{practiceId}/runs/{runId}/cancel',
      ].sort(),
    );
    const validators = Object.keys(template.findResources('AWS::ApiGateway::RequestValidator'));
    expect(validators).toHaveLength(1);
    for (const [route, m] of Object.entries(routes)) {
      expect({ route, auth: m.AuthorizationType }).toEqual({ route, auth: 'AWS_IAM' });
      expect({ route, type: m.Integration.Type, method: m.Integration.IntegrationHttpMethod }).toEqual({ route, type: 'AWS_PROXY', method: 'POST' });
      expect(JSON.stringify(m.Integration.Uri)).toContain(functionLogicalId(template, 'outreach-dev-staff-api'));
      expect({ route, validator: m.RequestValidatorId }).toEqual({ route, validator: { Ref: validators[0] } });
      // Every path parameter of the route is required (API Gateway refuses the request without it).
      const params = [...route.matchAll(/\{(\w+)\}/g)].map((p) => `method.request.path.${p[1]}`);
      expect({ route, params: m.RequestParameters }).toEqual({ route, params: Object.fromEntries(params.map((p) => [p, true])) });
    }
  });

  test('THEN the stage logs each request to a log group encrypted with the stage key, never bodies, and traces', () => {
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage')).map((s) => s.Properties);
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.MethodSettings).toEqual([expect.objectContaining({ DataTraceEnabled: false, LoggingLevel: 'OFF', HttpMethod: '*', ResourcePath: '/*' })]);
    const logGroupId = stage.AccessLogSetting.DestinationArn['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[logGroupId].Properties.KmsKeyId).toEqual(expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining('Key') }));
    expect(stage.AccessLogSetting.Format).not.toMatch(/requestBody|responseBody/);
    expect(template.findResources('AWS::ApiGateway::Account')).toEqual({});
  });

  test('THEN the flag digest runs daily at 06:00 UTC, reads the tracker and may only put objects under digests/', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', { Name: 'outreach-dev-flag-digest', ScheduleExpression: 'cron(0 6 * * ? *)' });
    const actions = [...new Set(allowedActions(statementsOfFunction(template, 'outreach-dev-flag-digest')))];
    expect(actions.filter((a) => a.startsWith('dynamodb:') && /Put|Update|Delete|Write/.test(a))).toEqual([]);
    const s3 = statementsOfFunction(template, 'outreach-dev-flag-digest').filter((st) => JSON.stringify(st.Action).includes('s3:'));
    expect(JSON.stringify(s3)).toContain('/digests/*');
    expect(JSON.stringify(s3)).not.toMatch(/s3:Delete|s3:GetObject/);
  });

  test('THEN the staff-api function may read and write the tracker, text, keep the opt-out list and start runs, nothing else', () => {
    const actions = [...new Set(allowedActions(statementsOfFunction(template, 'outreach-dev-staff-api')))].filter((a) => !/^(logs|xray|dynamodb|kms):/.test(a));
    expect(actions.sort()).toEqual(['sms-voice:DeleteOptedOutNumber', 'sms-voice:PutOptedOutNumber', 'sms-voice:SendTextMessage', 'states:StartExecution']);
  });
});
