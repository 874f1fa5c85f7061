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

/** Runs the app entry the way `cdk synth` does, with `file` as the stage config. */
function synth(file: string) {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(REPO_ROOT, 'bin', 'outreach.ts')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ stageConfig: file }),
      CDK_OUTDIR: fs.mkdtempSync(path.join(os.tmpdir(), 'outreach-cdk-')),
    },
  });
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

const voicemailBeforeTheText = (raw: Record<string, any>) => {
  raw.cadences[0].steps[2].day = 5;
};

describe('GIVEN a stage config with a broken cadence or template', () => {
  test.each([
    [
      'a step offset goes backwards',
      voicemailBeforeTheText,
      'cadences.0.steps.2.day: cadence "community-outreach": step "sms" (day 7) comes before step "voicemail" (day 5) in the list: offsets may not go backwards',
    ],
    [
      'a step names an unknown channel',
      (raw: Record<string, any>) => {
        raw.cadences[1].steps[0].channel = 'fax';
      },
      'cadences.1.steps.0.channel: unknown channel "fax": a step is a postcard, sms, voicemail or call',
    ],
    [
      "a template lacks a practice's language",
      (raw: Record<string, any>) => {
        delete raw.templates['voicemail-care-gap'].text.es;
      },
      "templates.voicemail-care-gap.text.es: template voicemail-care-gap has no 'es' text, needed by practice sunrise-family (cadence care-gap)",
    ],
    [
      'the send window is wider than the law allows',
      (raw: Record<string, any>) => {
        raw.sendWindow.window = { start: '08:00', end: '22:00' };
      },
      "sendWindow.window: the window is wider than the law allows (08:00–21:00 recipient's local time); it may only be narrower",
    ],
    [
      'a text is too long for one segment',
      (raw: Record<string, any>) => {
        raw.templates['sms-care-gap'].text.en += ' Thank you for choosing us!';
      },
      "templates.sms-care-gap.text.en: template sms-care-gap ('en' text) renders to 2 GSM-7 segments (181 characters) for practice sunrise-family; the limit is 1 (sms.maxSegments)",
    ],
  ])('WHEN %s THEN loading fails naming the file, the path and the problem', (_what, change, problem) => {
    const file = writeConfig(change);
    let message = '';
    try {
      loadStageConfig(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.startsWith(`Invalid stage config ${file}:\n`)).toBe(true);
    expect(message.split('\n')).toContain(`  - ${problem}`);
  });
});

describe('GIVEN the CDK app entry (bin/outreach.ts)', () => {
  test('WHEN it is run with an invalid stage config THEN synth fails and prints the problem, without a stack trace', () => {
    const file = writeConfig(sameNumberForSmsAndVoice);
    const result = synth(file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Invalid stage config ${file}`);
    expect(result.stderr).toContain('practices.1.voice.originationIdentity: SMS and voice must use separate origination numbers');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  test('WHEN a cadence step offset goes backwards THEN synth fails and prints the cadence, the steps and the rule', () => {
    const file = writeConfig(voicemailBeforeTheText);
    const result = synth(file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'cadences.0.steps.2.day: cadence "community-outreach": step "sms" (day 7) comes before step "voicemail" (day 5) in the list: offsets may not go backwards',
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
