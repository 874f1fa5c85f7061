import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadStageConfig, stageConfigPathFromContext } from '../../lib/outreach-app';
import { REPO_ROOT, SAMPLE_CONFIG_FILE } from './support/outreach-app';

function writeConfig(change: (raw: Record<string, any>) => void): string {
  const raw = JSON.parse(fs.readFileSync(SAMPLE_CONFIG_FILE, 'utf8'));
  change(raw);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-config-')), 'stage.json');
  fs.writeFileSync(file, JSON.stringify(raw, null, 2));
  return file;
}

const sameNumberForSmsAndVoice = (raw: Record<string, any>) => {
  raw.practices[1].voice.originationIdentity = raw.practices[1].sms.originationIdentity;
};

describe('GIVEN a stage config file', () => {
  test('WHEN a practice uses one number for SMS and voice THEN loading fails naming the file, the field and the rule', () => {
    const file = writeConfig(sameNumberForSmsAndVoice);
    expect(() => loadStageConfig(file)).toThrow(file);
    expect(() => loadStageConfig(file)).toThrow(/practices\.1\.voice\.originationIdentity: SMS and voice must use separate origination numbers/);
  });

  test('WHEN the file is not JSON THEN loading fails naming the file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-config-')), 'stage.json');
    fs.writeFileSync(file, '{ "stage": "dev", ');
    expect(() => loadStageConfig(file)).toThrow(`Stage config ${file} is not valid JSON`);
  });

  test('WHEN the file does not exist THEN loading fails naming the file', () => {
    expect(() => loadStageConfig('/nonexistent/stage.json')).toThrow('Cannot read stage config /nonexistent/stage.json');
  });

  test('WHEN the app has no stageConfig context THEN it says how to pass one', () => {
    expect(() => stageConfigPathFromContext(new App({ context: {} }))).toThrow('-c stageConfig=path/to/stage.json');
  });
});

describe('GIVEN the CDK app entry (bin/outreach.ts)', () => {
  test('WHEN it is run with an invalid stage config THEN synth fails and prints the problem, without a stack trace', () => {
    const file = writeConfig(sameNumberForSmsAndVoice);
    const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(REPO_ROOT, 'bin', 'outreach.ts')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ stageConfig: file }),
        CDK_OUTDIR: fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-cdk-')),
      },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Invalid stage config ${file}`);
    expect(result.stderr).toContain('practices.1.voice.originationIdentity: SMS and voice must use separate origination numbers');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
