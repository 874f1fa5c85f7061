/**
 * Runtime settings, read once per cold start: resource names from the environment
 * (set by the house function construct's bindX() helpers) and the stage config file
 * bundled beside the handler. A missing setting fails fast and says which.
 */
import { readFileSync } from 'node:fs';
import { parseStageConfig, type StageConfig } from '../domain/stage-config';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing setting: environment variable ${name} is not set`);
  return value;
}

let stageConfig: StageConfig | undefined;

/** The stage config named by OUTREACH_CONFIG_FILE, parsed with the same schema CDK used at synth. */
export function loadStageConfig(): StageConfig {
  if (!stageConfig) {
    const path = requiredEnv('OUTREACH_CONFIG_FILE');
    stageConfig = parseStageConfig(JSON.parse(readFileSync(path, 'utf8')), path);
  }
  return stageConfig;
}

/** For the local host and tests, which load more than one config in a process. */
export function resetStageConfig(): void {
  stageConfig = undefined;
}
