import * as path from 'node:path';
import { countOutcome } from '../../lambdas/adapters/outcome-metrics';
import { resetStageConfig } from '../../lambdas/adapters/settings';
import { captureEmf } from '../support/emf';

const SAMPLE_CONFIG = path.resolve(__dirname, '..', '..', 'samples', 'stage.sample.json');

describe('countOutcome', () => {
  const env = { ...process.env };
  beforeEach(() => {
    process.env.OUTREACH_CONFIG_FILE = SAMPLE_CONFIG;
    resetStageConfig();
  });
  afterEach(() => {
    process.env = { ...env };
    resetStageConfig();
  });

  it('writes each count at once as one EMF line in the stage\'s namespace, under the service patient-outreach, with exactly the dimensions given', async () => {
    const { counts } = await captureEmf(() => {
      countOutcome('MessagesSent', { practice: 'sunrise-family', channel: 'sms' });
      countOutcome('RowsImported', { practice: 'lakeside-pediatrics' }, 250);
      countOutcome('NumberLookupsThrottled', {});
    });
    expect(counts).toEqual([
      { namespace: 'PatientOutreach/dev', name: 'MessagesSent', value: 1, dimensions: { service: 'patient-outreach', practice: 'sunrise-family', channel: 'sms' } },
      { namespace: 'PatientOutreach/dev', name: 'RowsImported', value: 250, dimensions: { service: 'patient-outreach', practice: 'lakeside-pediatrics' } },
      { namespace: 'PatientOutreach/dev', name: 'NumberLookupsThrottled', value: 1, dimensions: { service: 'patient-outreach' } },
    ]);
  });

  it('uses the fixed service whatever function counts, so the alarms can name it', async () => {
    process.env.POWERTOOLS_SERVICE_NAME = 'outreach-cadence';
    const { counts } = await captureEmf(() => countOutcome('OptOuts', { practice: 'sunrise-family', channel: 'all' }));
    expect(counts.map((c) => c.dimensions.service)).toEqual(['patient-outreach']);
  });

  it('publishes a dimension value that is not an id or a code as "other": no number, name or text reaches CloudWatch', async () => {
    const { counts } = await captureEmf(() => {
      countOutcome('MessagesSent', { practice: '+12065550141', channel: 'sms' });
      countOutcome('Dispositions', { practice: 'Maria Lopez', code: 'no-answer' });
    });
    expect(counts.map((c) => c.dimensions)).toEqual([
      { service: 'patient-outreach', practice: 'other', channel: 'sms' },
      { service: 'patient-outreach', practice: 'other', code: 'no-answer' },
    ]);
  });

  it('writes nothing where metrics are turned off (the local engines)', async () => {
    const { counts } = await captureEmf(() => countOutcome('MessagesSent', { practice: 'sunrise-family', channel: 'sms' }), { metricsDisabled: true });
    expect(counts).toEqual([]);
  });

  it('never fails the work it counts: without a stage config it publishes nothing and returns', async () => {
    delete process.env.OUTREACH_CONFIG_FILE;
    const { counts } = await captureEmf(() => countOutcome('MessagesSent', { practice: 'sunrise-family', channel: 'sms' }));
    expect(counts).toEqual([]);
  });
});
