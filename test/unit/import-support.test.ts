import { join } from 'node:path';
import { dependencies, resetDependencies } from '../../lambdas/handlers/import-support';
import { resetStageConfig } from '../../lambdas/adapters/settings';

describe('import handler dependencies', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetDependencies();
    resetStageConfig();
  });

  it('build for a function that has only the tracker and the config (begin, rows, validate, enroll), and name a missing setting only when it is used', () => {
    process.env = { ...saved, TRACKER_TABLE_NAME: 'tracker', OUTREACH_CONFIG_FILE: join(__dirname, '../../samples/stage.sample.json') };
    delete process.env.EVENT_BUS_NAME;
    delete process.env.REPORTS_BUCKET_NAME;
    resetDependencies();
    resetStageConfig();

    const deps = dependencies();

    expect(deps.tracker).toBeDefined();
    expect(deps.ledger).toBeDefined();
    expect(() => deps.events).toThrow(/EVENT_BUS_NAME/);
    expect(() => deps.reportsBucket).toThrow(/REPORTS_BUCKET_NAME/);
  });
});
