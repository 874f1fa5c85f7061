/**
 * `npx outreach`: the ops CLI. Works against a deployed stage (names resolved from its
 * CloudFormation stack outputs, AWS credentials from the usual chain) or, with --local,
 * against the local engines on an `npm start --state DIR` directory. It calls the same
 * handlers and adapters the deployed functions use.
 *
 *   npx outreach [--local [--state DIR] | --stage NAME [--region R]] [--config PATH] <command>
 *     upload FILE --practice ID [--folder patients/]   drop a file in the inbox and follow its import
 *     import IMPORT_ID [--rejects N]                   an import's summary and rejected rows
 *     timeline CONTACT --practice ID [--days N]        what happened to a person and what comes next
 *     pause CONTACT --practice ID [--cadence NAME]     hold a person's outreach
 *     resume CONTACT --practice ID [--cadence NAME]    let it go on
 *     reports --practice ID [--out DIR]                download the latest reports
 *     export-replies --practice ID --from DAY --to DAY [--out DIR]   every reply in a date range, as CSV
 *     flags --practice ID [--kind K] [--older-than H] [--all]   what staff are asked to look at
 *     handle FLAG_ID --practice ID                     mark a flag handled
 *     thread CONTACT --practice ID                     a person's replies and the messages they got
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError, Option } from 'commander';
import { stackName } from '../lib/naming';
import { importIdFor, type ImportRun } from '../lambdas/domain/import-run';
import { UsageError } from './json-line-command';
import { LOCAL_NAMES, SAMPLE_CONFIG, importFile, startLocalStack, type LocalStack } from './local-stack';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';

/** Where the commands act: the names they need and how to put a file in the inbox. */
interface Target {
  readonly importBucket: string;
  readonly reportsBucket: string;
  readonly s3: S3Client;
  readonly local?: LocalStack;
  stop(): Promise<void>;
}


interface GlobalOptions {
  readonly local?: boolean;
  readonly state?: string;
  readonly stage?: string;
  readonly region?: string;
  readonly config?: string;
}

async function connect(o: GlobalOptions): Promise<Target> {
  if (o.local) {
    const stateDir = o.state ? resolve(o.state) : undefined;
    if (stateDir && !existsSync(stateDir)) throw new UsageError(`No state directory ${stateDir}: give the --state DIR of an earlier \`npm start -- --state DIR\`, or leave --state out for a fresh one.`);
    const stack = await startLocalStack({ stateDir, configPath: resolve(o.config ?? SAMPLE_CONFIG) });
    return { importBucket: LOCAL_NAMES.importBucket, reportsBucket: LOCAL_NAMES.reportsBucket, s3: stack.s3, local: stack, stop: () => stack.stop() };
  }
  if (!o.stage) throw new UsageError('Say where: --stage NAME for a deployed stage (with AWS credentials), or --local [--state DIR] for the local engines.');
  if (!o.config) throw new UsageError('A deployed stage needs its stage config: --config PATH (the file `cdk deploy` used).');
  const region = o.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const outputs = await stackOutputs(stackName(o.stage, 'Data'), region);
  const need = (key: string) => {
    const value = outputs[key];
    if (!value) throw new UsageError(`Stack ${stackName(o.stage!, 'Data')} has no output ${key}: deploy the current version (npx cdk deploy --all).`);
    return value;
  };
  Object.assign(process.env, { AWS_REGION: region, TRACKER_TABLE_NAME: need('TrackerTableName'), REPORTS_BUCKET_NAME: need('ReportsBucketName'), OUTREACH_CONFIG_FILE: resolve(o.config) });
  const s3 = new S3Client({ region });
  return { importBucket: need('ImportBucketName'), reportsBucket: need('ReportsBucketName'), s3, stop: async () => s3.destroy() };
}

async function stackOutputs(name: string, region: string): Promise<Record<string, string>> {
  try {
    const { Stacks } = await new CloudFormationClient({ region }).send(new DescribeStacksCommand({ StackName: name }));
    return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  } catch (e) {
    throw new UsageError(`Cannot read stack ${name} in ${region}: ${(e as Error).message}. Check --stage and --region, and that your AWS credentials can call cloudformation:DescribeStacks.`);
  }
}

/** A contact id (c_…) as given, or the one an external id from the file names. */
async function contactIdOf(practiceId: string, who: string): Promise<string> {
  if (/^c_[0-9a-f]{24}$/.test(who)) return who;
  const { dependencies } = await import('../lambdas/handlers/cadence-support');
  const id = (await dependencies().tracker.getClaims(practiceId, [`ext:${who.trim().toLowerCase()}`])).get(`ext:${who.trim().toLowerCase()}`);
  if (!id) throw new UsageError(`No person "${who}" in practice ${practiceId}: give a contact id (c_…) or the external id from the file.`);
  return id;
}

async function checkPractice(practiceId: string): Promise<void> {
  const { dependencies } = await import('../lambdas/handlers/cadence-support');
  const { config } = dependencies();
  if (!config.practices.some((p) => p.id === practiceId)) throw new UsageError(`No practice "${practiceId}" in the stage config; known: ${config.practices.map((p) => p.id).join(', ')}.`);
}

// ---- commands ----

async function upload(t: Target, file: string, o: { practice: string; folder?: string }): Promise<void> {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`No file ${path}.`);
  await checkPractice(o.practice);
  const folder = (o.folder ?? '').replace(/^\/+|\/+$/g, '');
  const name = folder ? `${folder}/${basename(path)}` : basename(path);
  const bar = new SingleBar({ format: '  {phase} |{bar}| {percentage}% · {value}/{total} {unit}', hideCursor: true });
  let shown = false;
  const show = (run: ImportRun) => {
    const [value, total, unit] = run.phase === 'rows' ? [run.rowCursor.byte, run.source.size, 'bytes'] : [run.numberCounts.uniqueNumbers, Math.max(run.numberCounts.uniqueNumbers, 1), 'numbers'];
    if (!shown) bar.start(total, 0, { phase: run.phase, unit });
    shown = true;
    bar.setTotal(total);
    bar.update(value, { phase: run.phase, unit });
  };
  let run: ImportRun | undefined;
  if (t.local) {
    console.log(`Importing ${path} into inbox/${o.practice}/${name} (local engines) …`);
    const outcome = await importFile(t.local, path, { practiceId: o.practice, objectName: name, onProgress: show });
    if (shown) bar.stop();
    if (outcome.skipped) console.log(`This exact file was imported before (${outcome.skipped}).`);
    const { dependencies } = await import('../lambdas/handlers/import-support');
    run = outcome.importId ? await dependencies().tracker.getImport(outcome.importId) : undefined;
  } else {
    const key = `inbox/${o.practice}/${name}`;
    console.log(`Uploading ${path} to s3://${t.importBucket}/${key} …`);
    const put = await new Upload({ client: t.s3, params: { Bucket: t.importBucket, Key: key, Body: createReadStream(path) } }).done();
    if (!put.VersionId) throw new Error('the import bucket returned no version id (it should be versioned)');
    const importId = importIdFor({ bucket: t.importBucket, key, version: put.VersionId });
    console.log(`Import ${importId}: following it (Ctrl-C stops following, not the import) …`);
    const { dependencies } = await import('../lambdas/handlers/import-support');
    for (let waited = 0; ; waited += 2) {
      run = await dependencies().tracker.getImport(importId);
      if (run) show(run);
      if (run && (run.phase === 'done' || run.failure)) break;
      if (!run && waited > 120) throw new Error(`no import ${importId} started within 2 minutes: check the import bucket's EventBridge notifications and the Import state machine's executions`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    if (shown) bar.stop();
  }
  if (!run) throw new Error('the import did not start');
  printImport(run);
}

function printImport(run: ImportRun): void {
  const c = run.rowCounts;
  const n = run.numberCounts;
  console.log(`
Import ${run.importId} (${run.practiceId}) — ${run.failure ? `FAILED: ${run.failure.error}` : run.phase}
  file           ${run.source.key}
  rows read      ${c.rowsRead}   created ${c.created}   updated ${c.updated}   unchanged ${c.unchanged}   duplicates ${c.duplicates}
  rejected       ${c.rejected}   warnings ${c.warnings}
  numbers        ${n.uniqueNumbers} unique: ${n.lookups} looked up, ${n.cacheHits} from cache, ${n.lookupFailures} failed
  enrolled       ${run.enrollCounts?.enrolled ?? 0}${Object.keys(run.enrollCounts?.notEnrolled ?? {}).length ? `   not enrolled: ${Object.entries(run.enrollCounts!.notEnrolled).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`);
}

async function showImport(importId: string, o: { rejects: string }): Promise<void> {
  const { dependencies } = await import('../lambdas/handlers/import-support');
  const { tracker } = dependencies();
  const run = await tracker.getImport(importId);
  if (!run) throw new UsageError(`No import ${importId}: import ids look like imp_… (the upload command and the import summary print them).`);
  printImport(run);
  const limit = Number(o.rejects);
  const rejects = [];
  for await (const note of tracker.rowNotes(importId, 'REJECT')) {
    if (rejects.length >= limit) break;
    rejects.push(note);
  }
  if (rejects.length > 0) console.log(`\nRejected rows${run.rowCounts.rejected > rejects.length ? ` (first ${rejects.length} of ${run.rowCounts.rejected})` : ''}:\n${rejects.map((r) => `  line ${r.line}: ${r.reason}`).join('\n')}`);
}

async function timeline(who: string, o: { practice: string; days: string }): Promise<void> {
  await checkPractice(o.practice);
  const contactId = await contactIdOf(o.practice, who);
  const { personTimeline } = await import('../lambdas/handlers/cadence-control');
  const t = await personTimeline(o.practice, contactId, Number(o.days));
  if (!t) throw new UsageError(`No person ${contactId} in practice ${o.practice}.`);
  console.log(`Timeline of ${t.contactId}\n\nSo far:`);
  for (const e of t.past) console.log(`  ${e.at}  ${e.what}`);
  console.log(`\nComing in the next ${o.days} days if nothing changes:`);
  if (t.coming.length === 0) console.log('  nothing');
  for (const c of t.coming) console.log(`  ${c.at}  ${c.cadence} r${c.round} ${c.step} [${c.channel}]: ${c.outcome}${c.heldBy ? ` (held for ${c.heldBy})` : ''}`);
  for (const note of t.notes) console.log(`  note: ${note}`);
}

async function pauseOrResume(who: string, o: { practice: string; cadence?: string }, paused: boolean): Promise<void> {
  await checkPractice(o.practice);
  const contactId = await contactIdOf(o.practice, who);
  const { setCadencesPaused } = await import('../lambdas/handlers/cadence-control');
  const by = `ops-cli:${process.env.USER ?? 'unknown'}`;
  const answer = await setCadencesPaused(o.practice, contactId, paused, by, o.cadence);
  for (const c of answer.changed) console.log(`${paused ? 'paused' : 'resumed'} ${c}`);
  for (const u of answer.unchanged) console.log(`left ${u.cadence} as it is (${u.status})`);
  if (answer.changed.length === 0 && answer.unchanged.length === 0) console.log(`${contactId} is in no cadence${o.cadence ? ` named ${o.cadence}` : ''}.`);
  if (paused && answer.changed.length > 0) console.log('Nothing more goes to this person from these cadences until `outreach resume`; replies and appointments still work.');
}

async function reports(t: Target, o: { practice: string; out: string }): Promise<void> {
  const prefix = `reports/${o.practice}/`;
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await t.s3.send(new ListObjectsV2Command({ Bucket: t.reportsBucket, Prefix: prefix, ContinuationToken }));
    keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  if (keys.length === 0) throw new UsageError(`No reports yet under s3://${t.reportsBucket}/${prefix}: they are written every day at 13:00 UTC (locally, \`npm start\` writes one).`);
  // The newest of each kind (daily, weekly, all): names sort by date.
  const latest = new Map<string, string>();
  for (const key of keys.sort()) latest.set(`${key.split('/')[2]}${key.slice(key.lastIndexOf('.'))}`, key);
  const dir = resolve(o.out);
  await mkdir(dir, { recursive: true });
  for (const key of latest.values()) {
    const obj = await t.s3.send(new GetObjectCommand({ Bucket: t.reportsBucket, Key: key }));
    const path = join(dir, `${key.split('/')[2]}-${basename(key)}`);
    await writeFile(path, await obj.Body!.transformToByteArray());
    console.log(path);
  }
}

async function exportReplies(t: Target, o: { practice: string; from: string; to: string; out: string }): Promise<void> {
  await checkPractice(o.practice);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.from) || !/^\d{4}-\d{2}-\d{2}$/.test(o.to) || o.from > o.to) throw new UsageError('Give --from and --to as YYYY-MM-DD (the practice’s local days, both included), --from not after --to.');
  const { handler } = await import('../lambdas/handlers/export-replies');
  process.env.REPORTS_BUCKET_NAME ??= t.reportsBucket;
  const exported = await handler({ practiceId: o.practice, from: o.from, to: o.to });
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(exported.file)!;
  const obj = await t.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await mkdir(resolve(o.out), { recursive: true });
  const path = join(resolve(o.out), basename(key!));
  await writeFile(path, await obj.Body!.transformToByteArray());
  console.log(`${exported.rows} replies → ${path} (also ${exported.file})`);
}

/** Flags name a practice, or `unmatched` for those that name none (a reply to a number no practice texts from). */
async function checkFlagPractice(practiceId: string): Promise<void> {
  if (practiceId !== 'unmatched') await checkPractice(practiceId);
}

async function listFlags(o: { practice: string; kind?: string; olderThan: string; all?: boolean }): Promise<void> {
  await checkFlagPractice(o.practice);
  if (o.kind && !['reply', 'disposition'].includes(o.kind)) throw new UsageError('--kind is reply or disposition.');
  const olderThanHours = Number(o.olderThan);
  if (Number.isNaN(olderThanHours) || olderThanHours < 0) throw new UsageError('--older-than takes hours, e.g. --older-than 24.');
  const { flagsOf } = await import('../lambdas/handlers/staff-api');
  const { now } = await import('../lambdas/adapters/clock');
  const list = await flagsOf(o.practice, { kind: o.kind, olderThanHours, handledToo: o.all });
  console.log(`${list.length} ${o.all ? '' : 'open '}flag${list.length === 1 ? '' : 's'} for ${o.practice}${list.length ? ' (oldest first):' : '.'}`);
  for (const f of list) {
    const hours = Math.floor((now().getTime() - Date.parse(f.at)) / 3_600_000);
    const about = f.contactId ? `  person ${f.contactId}` : '';
    const handled = f.handledAt ? `  handled ${f.handledAt} by ${f.handledBy}` : '';
    console.log(`  ${f.flagId}\n    ${f.kind}, ${hours} h old: ${f.reason}${about}${handled}`);
  }
  if (list.some((f) => !f.handledAt)) console.log(`\nOnce dealt with: outreach handle <flag id> --practice ${o.practice}`);
}

async function handleFlag(flagId: string, o: { practice: string }): Promise<void> {
  await checkFlagPractice(o.practice);
  const { markFlagHandled } = await import('../lambdas/handlers/staff-api');
  const by = `ops-cli:${process.env.USER ?? 'unknown'}`;
  if (!(await markFlagHandled(o.practice, flagId, by))) throw new UsageError(`No flag "${flagId}" in practice ${o.practice}: \`outreach flags --practice ${o.practice}\` lists them with their ids.`);
  console.log(`${flagId} handled (by ${by}; a flag handled before keeps who handled it first).`);
}

async function thread(who: string, o: { practice: string }): Promise<void> {
  await checkPractice(o.practice);
  const contactId = await contactIdOf(o.practice, who);
  const { personThread } = await import('../lambdas/handlers/staff-api');
  const t = await personThread(o.practice, contactId);
  if (!t) throw new UsageError(`No person ${contactId} in practice ${o.practice}.`);
  const optedOut = Object.keys(t.optedOut);
  console.log(`Thread of ${t.contactId} (${t.status}${optedOut.length ? `; opted out: ${optedOut.join(', ')}` : ''})`);
  if (t.thread.length === 0) console.log('  no messages yet');
  for (const m of t.thread) {
    if (m.direction === 'in') console.log(`  ${m.at}  ← ${m.text}  [${m.kind}]`);
    else console.log(`  ${m.at}  → ${m.channel} ${m.what}: ${m.text ?? `(${m.template})`}${m.delivery ? `  [${m.delivery}]` : ''}`);
  }
}

// ---- the program ----

export function program(): Command {
  const p = new Command('outreach')
    .description('Ops commands for a Patient Outreach stage (deployed, or the local engines with --local).')
    .option('--local', 'use the local engines instead of a deployed stage')
    .option('--state <dir>', 'with --local: the state directory of an `npm start -- --state DIR` run')
    .option('--stage <name>', 'the deployed stage (names come from its CloudFormation stack outputs)')
    .option('--region <region>', 'the stage’s region (default: AWS_REGION, else us-east-1)')
    .option('--config <path>', 'the stage config file (default with --local: samples/stage.sample.json)')
    .showHelpAfterError('(outreach --help lists the commands; outreach <command> --help their options)')
    .exitOverride();
  const run = (action: (t: Target, ...args: never[]) => Promise<void>, needsTarget = true) =>
    async (...args: unknown[]) => {
      const t = await connect(p.opts<GlobalOptions>());
      try {
        await (action as (t: Target, ...a: unknown[]) => Promise<void>)(t, ...args);
      } finally {
        if (needsTarget) await t.stop();
      }
    };
  p.command('upload')
    .description('drop a file in the practice’s inbox and follow its import to the end')
    .argument('<file>', 'the CSV or JSON Lines file')
    .requiredOption('--practice <id>', 'the practice whose inbox gets the file')
    .option('--folder <path>', 'a folder under the inbox that picks the cadence, e.g. patients/')
    .action(run((t, file: string, o: { practice: string; folder?: string }) => upload(t, file, o)));
  p.command('import')
    .description('an import’s summary and its rejected rows')
    .argument('<importId>', 'imp_… as printed by upload')
    .option('--rejects <n>', 'rejected rows to show', '20')
    .action(run((_t, id: string, o: { rejects: string }) => showImport(id, o)));
  p.command('timeline')
    .description('a person’s history and what the next days hold if nothing changes')
    .argument('<contact>', 'contact id (c_…) or the external id from the file')
    .requiredOption('--practice <id>', 'the person’s practice')
    .addOption(new Option('--days <n>', 'how far ahead to look').default('30'))
    .action(run((_t, who: string, o: { practice: string; days: string }) => timeline(who, o)));
  p.command('pause')
    .description('hold a person’s outreach (every cadence, or one)')
    .argument('<contact>', 'contact id (c_…) or the external id from the file')
    .requiredOption('--practice <id>', 'the person’s practice')
    .option('--cadence <name>', 'only this cadence')
    .action(run((_t, who: string, o: { practice: string; cadence?: string }) => pauseOrResume(who, o, true)));
  p.command('resume')
    .description('let a paused person’s outreach go on')
    .argument('<contact>', 'contact id (c_…) or the external id from the file')
    .requiredOption('--practice <id>', 'the person’s practice')
    .option('--cadence <name>', 'only this cadence')
    .action(run((_t, who: string, o: { practice: string; cadence?: string }) => pauseOrResume(who, o, false)));
  p.command('reports')
    .description('download the latest daily, weekly and whole-period reports (CSV and HTML)')
    .requiredOption('--practice <id>', 'the practice')
    .option('--out <dir>', 'where to put them', '.')
    .action(run((t, o: { practice: string; out: string }) => reports(t, o)));
  p.command('export-replies')
    .description('every reply the practice received in a date range, as CSV (safe to open in a spreadsheet)')
    .requiredOption('--practice <id>', 'the practice')
    .requiredOption('--from <day>', 'first local day, YYYY-MM-DD')
    .requiredOption('--to <day>', 'last local day, YYYY-MM-DD (included)')
    .option('--out <dir>', 'where to put the file', '.')
    .action(run((t, o: { practice: string; from: string; to: string; out: string }) => exportReplies(t, o)));
  p.command('flags')
    .description('what staff are asked to look at: replies no rule answers, dispositions that could not be applied')
    .requiredOption('--practice <id>', 'the practice, or unmatched for flags that name none')
    .option('--kind <kind>', 'only reply or disposition flags')
    .option('--older-than <hours>', 'only flags at least this old', '0')
    .option('--all', 'handled flags too')
    .action(run((_t, o: { practice: string; kind?: string; olderThan: string; all?: boolean }) => listFlags(o)));
  p.command('handle')
    .description('mark a flag handled, once someone has dealt with it')
    .argument('<flagId>', 'the id `outreach flags` prints')
    .requiredOption('--practice <id>', 'the flag’s practice, or unmatched')
    .action(run((_t, flagId: string, o: { practice: string }) => handleFlag(flagId, o)));
  p.command('thread')
    .description('a person’s replies and the texts and voicemails they got, with their delivery')
    .argument('<contact>', 'contact id (c_…) or the external id from the file')
    .requiredOption('--practice <id>', 'the person’s practice')
    .action(run((_t, who: string, o: { practice: string }) => thread(who, o)));
  for (const c of p.commands) c.exitOverride().showHelpAfterError(`(outreach ${c.name()} --help lists its options)`);
  return p;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await program().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    console.error(`Failed: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}


