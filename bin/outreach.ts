/**
 * The CDK app (cdk.json runs it with tsx): one stage per synth, chosen by the stage
 * config file in context `stageConfig`.
 *
 *   npx cdk synth -c stageConfig=samples/stage.sample.json
 */
import { App } from 'aws-cdk-lib';
import type { StageConfig } from '../lambdas/domain/stage-config';
import { buildOutreachApp, loadStageConfig, stageConfigPathFromContext } from '../lib/outreach-app';

const app = new App();
let configPath: string;
let config: StageConfig;
try {
  configPath = stageConfigPathFromContext(app);
  config = loadStageConfig(configPath);
} catch (error) {
  // A config problem is the operator's to fix: print what is wrong, not a stack trace.
  console.error((error as Error).message);
  process.exit(1);
}
buildOutreachApp(app, config, configPath);
app.synth();
