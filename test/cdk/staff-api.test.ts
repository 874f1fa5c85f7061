/**
 * The staff API in the outreach stack: IAM on every method, the four routes to one function,
 * access logs encrypted with the stage key and no request or response data logged, tracing.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { allowedActions, functionLogicalId, statementsOfFunction, synthOutreach } from './support/outreach-app';

let template: Template;
beforeAll(() => {
  template = synthOutreach().outreach;
});

describe('GIVEN the sample stage WHEN the outreach stack is synthesised', () => {
  test('THEN every method of the staff API needs IAM (SigV4) and goes to the staff-api function', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
    expect(methods.map((m) => m.HttpMethod).sort()).toEqual(['GET', 'GET', 'POST', 'POST', 'POST', 'POST']);
    for (const m of methods) {
      expect(m.AuthorizationType).toBe('AWS_IAM');
      expect(JSON.stringify(m.Integration.Uri)).toContain(functionLogicalId(template, 'outreach-dev-staff-api'));
      expect(m.RequestValidatorId).toBeDefined();
    }
    const paths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart);
    expect(paths.sort()).toEqual(['consent', 'contacts', 'flags', 'handled', 'messages', 'opt-out', 'practices', 'thread', '{contactId}', '{flagId}', '{practiceId}'].sort());
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

  test('THEN the staff-api function may read and write the tracker, text, and keep the opt-out list, nothing else', () => {
    const actions = [...new Set(allowedActions(statementsOfFunction(template, 'outreach-dev-staff-api')))].filter((a) => !/^(logs|xray|dynamodb|kms):/.test(a));
    expect(actions.sort()).toEqual(['sms-voice:DeleteOptedOutNumber', 'sms-voice:PutOptedOutNumber', 'sms-voice:SendTextMessage']);
  });
});
