/**
 * The segment and broadcast measurements, in a Node process of its own:
 *   node --import tsx local/bench/segment-worker.ts '<SegmentWorkerSpec JSON>'
 *
 * - `segments`: imports samples/prospects.csv for another practice and scans the table (what
 *   the tracker holds per person, for the full-Scan estimate), then writes `contacts`
 *   generated roster cards (generate.ts cardGenerator) straight into the table with
 *   BatchWriteItem, and times Roster.evaluate for three segments: members, cards read, read
 *   units as dynalite reports them (ReturnConsumedCapacity).
 * - `broadcast`: imports a file of mobiles, starts a broadcast to all of them at a weekday 10:00
 *   in the practice's zone (virtual clock: every window open) and runs its run workflow as
 *   local/run-runner.ts does; the pacer waits in real time. What arrived, and when, is read
 *   back from the sandbox.
 */
import './quiet-handler-logs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { withClock } from '../../lambdas/adapters/clock';
import { Roster, rosterItems } from '../../lambdas/adapters/roster';
import type { Item } from '../../lambdas/adapters/tracker-table-client';
import { inSegment, segmentFilterSchema, type SegmentCard } from '../../lambdas/domain/segment';
import { findPractice, type StageConfig } from '../../lambdas/domain/stage-config';
import { VirtualClock } from '../cadence-runner';
import { importFile, LOCAL_NAMES, ROOT, type LocalStack } from '../local-stack';
import { runRun, startedRuns } from '../run-runner';
import { daytimeStart } from './daytime';
import { cardGenerator, MOBILE_FILE_RECIPIENT } from './generate';
import type { BroadcastWorkerResult, SegmentEvaluation, SegmentsWorkerResult, SegmentWorkerSpec } from './protocol';
import { allRecords } from './sandbox-records';
import { BENCH_BROADCAST } from './stage-config';
import { maxRssMb, onLocalStack, say, workerMain } from './worker-util';

/** DynamoDB on-demand reads. */
const PRICE = { usdPerMillionReadUnits: 0.125, note: 'DynamoDB on-demand read request units, us-east-1, 2024 price ($0.125 per million since the November 2024 cut)' } as const;
const costOf = (readUnits: number) => (readUnits * PRICE.usdPerMillionReadUnits) / 1e6;
/** Eventually consistent reads: half a unit per 4 KB, rounded up per response. */
const readUnitsOf = (bytes: number) => Math.ceil(bytes / 4096) * 0.5;

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Segments are evaluated on a Monday, 10:00 in Seattle; the generated dates count back from that day. */
const EVALUATED_AT = '2027-03-01T18:00:00Z';
const SEGMENTS = [
  { name: 'patients', filter: { tags: { anyOf: ['patient'] } } },
  { name: 'es-mobile-wa-lapsed', filter: { languages: ['es'], phoneTypes: ['MOBILE'], states: ['WA'], dates: { lastVisitDate: { daysAgo: { min: 365 } } } } },
  { name: 'seniors-textable', filter: { dates: { dateOfBirth: { age: { min: 65 } } }, consent: { notOptedOut: ['sms'] } } },
].map((s) => ({ name: s.name, filter: segmentFilterSchema.parse(s.filter) }));
/** Cards generated and written per round of BatchWriteItem calls (80 requests of 25 at once). */
const LOAD_SLICE = 2000;

/** An item's DynamoDB size (developer guide, "Item sizes"): UTF-8 names and strings, numbers ~1 byte per 2 digits + 1, lists and maps 3 bytes + 1 per element. */
function itemBytes(item: Item): number {
  return Object.entries(item).reduce((n, [name, value]) => n + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return 1 + Math.ceil(String(Math.abs(value)).replace(/\D|^0+/g, '').length / 2);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((n: number, v) => n + valueBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueBytes(v), 0);
  if (value && typeof value === 'object') return 3 + Object.entries(value).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + valueBytes(v), 0);
  return 1; // boolean, null
}

/** The roster, with the bench's bulk load and a Scan of the whole table. */
class BenchRoster extends Roster {
  /** Read units computed from page sizes, for pages DynamoDB reported none for. */
  computedReadUnits = 0;

  async load(items: readonly Item[]): Promise<void> {
    await this.batchPut(items);
  }

  async *scan(): AsyncGenerator<Item> {
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.doc.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey }));
      yield* page.Items ?? [];
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  override async *shardPages(practiceId: string, shard: number, after?: string, pageSize?: number): AsyncGenerator<{ cards: SegmentCard[]; readUnits: number; last?: string }> {
    for await (const page of super.shardPages(practiceId, shard, after, pageSize)) {
      if (page.readUnits === 0 && page.cards.length > 0) {
        const items = rosterItems(practiceId, page.cards as unknown as Parameters<typeof rosterItems>[1]);
        this.computedReadUnits += readUnitsOf(items.reduce((n, i) => n + itemBytes(i), 0));
      }
      yield page;
    }
  }
}

/** Imports the sample file for `practiceId` into a table that holds nothing else yet, and scans it: what the tracker keeps per person. */
async function measureSample(stack: LocalStack, roster: BenchRoster, practiceId: string): Promise<SegmentsWorkerResult['sample']> {
  const outcome = await importFile(stack, join(ROOT, 'samples', 'prospects.csv'), { practiceId });
  if (outcome.execution.status !== 'SUCCEEDED') throw new Error(`sample import ${outcome.execution.status}: ${outcome.execution.cause ?? ''}`);
  let contacts = 0;
  let profileBytes = 0;
  let items = 0;
  let bytes = 0;
  let temporaryItems = 0;
  const itemsByKind: Record<string, number> = {};
  for await (const item of roster.scan()) {
    if (item.expiresAt !== undefined) {
      temporaryItems += 1;
      continue;
    }
    const size = itemBytes(item);
    items += 1;
    bytes += size;
    // PRACTICE#<id>#CONTACT#<id> HISTORY#… → "PRACTICE#CONTACT HISTORY"; an sk that is an id (a contact, a number) or a time → "<id>".
    const kind = `${String(item.pk).split('#').filter((_, i) => i % 2 === 0).join('#')} ${/^(c_|\+|\d)/.test(String(item.sk)) ? '<id>' : String(item.sk).split('#')[0]}`;
    itemsByKind[kind] = (itemsByKind[kind] ?? 0) + 1;
    if (item.sk === 'PROFILE') {
      contacts += 1;
      profileBytes += size;
    }
  }
  if (contacts === 0) throw new Error('the sample import left no profiles');
  const per = (n: number) => Math.round((n / contacts) * 10) / 10;
  return { contacts, profileBytes: per(profileBytes), itemsPerContact: per(items), bytesPerContact: per(bytes), temporaryItems, itemsByKind };
}

async function segments(spec: SegmentWorkerSpec, stack: LocalStack, config: StageConfig): Promise<SegmentsWorkerResult> {
  const { segmentContext } = await import('../../lambdas/handlers/run-support');
  const ctx = segmentContext(findPractice(config, spec.practiceId)!, new Date(EVALUATED_AT));
  const roster = new BenchRoster(LOCAL_NAMES.table);
  // Another practice's people: the roster of spec.practiceId holds the generated cards alone.
  const samplePractice = config.practices.find((p) => p.id !== spec.practiceId);
  if (!samplePractice) throw new Error(`${spec.configPath} needs a second practice for the sample import`);
  const sample = await measureSample(stack, roster, samplePractice.id);
  say(spec.label, `sample import: ${sample.contacts} people, ${sample.itemsPerContact} lasting items and ${sample.bytesPerContact} bytes each (profile ${sample.profileBytes} bytes)`);

  const contacts = spec.contacts!;
  const next = cardGenerator(contacts, ctx.today);
  const expected = SEGMENTS.map(() => 0);
  let patients = 0;
  let cardBytes = 0;
  let loadSeconds = 0;
  let said = Date.now();
  for (let from = 0; from < contacts; from += LOAD_SLICE) {
    const cards = Array.from({ length: Math.min(LOAD_SLICE, contacts - from) }, (_, i) => next(from + i));
    for (const card of cards) {
      if (card.tags.includes('patient')) patients += 1;
      SEGMENTS.forEach((s, k) => (expected[k]! += inSegment(card, s.filter, ctx) ? 1 : 0));
    }
    const items = rosterItems(spec.practiceId, cards);
    cardBytes += items.reduce((n, i) => n + itemBytes(i), 0);
    const t = performance.now();
    await roster.load(items);
    loadSeconds += (performance.now() - t) / 1000;
    if (Date.now() - said >= 10_000) {
      said = Date.now();
      say(spec.label, `${from + cards.length}/${contacts} cards written in ${loadSeconds.toFixed(0)} s`);
    }
  }
  say(spec.label, `${contacts} cards written in ${loadSeconds.toFixed(1)} s; evaluating`);

  const evaluations: SegmentEvaluation[] = [];
  for (const [k, s] of SEGMENTS.entries()) {
    roster.computedReadUnits = 0;
    const loadAtStart = loadavg()[0]!;
    const t = performance.now();
    const reads = await roster.evaluate(spec.practiceId, s.filter, ctx);
    const seconds = (performance.now() - t) / 1000;
    const loadAverage = { start: round2(loadAtStart), end: round2(loadavg()[0]!) };
    const readUnits = reads.readUnits > 0 ? reads.readUnits : roster.computedReadUnits;
    const readUnitsSource =
      reads.readUnits > 0 ? 'dynalite ConsumedCapacity (Query, eventually consistent)' : 'computed: sum over query pages of ceil(page bytes / 4096) × 0.5 (dynalite returned no ConsumedCapacity)';
    evaluations.push({ name: s.name, filter: s.filter, seconds, members: reads.members, expectedMembers: expected[k]!, cards: reads.cards, readUnits, readUnitsSource, costUsd: costOf(readUnits), loadAverage });
    say(spec.label, `${s.name}: ${reads.members} members of ${reads.cards} cards in ${seconds.toFixed(2)} s, ${readUnits} read units`);
  }

  const scanBytes = Math.round(sample.bytesPerContact * contacts);
  return {
    type: 'result',
    mode: 'segments',
    label: spec.label,
    contacts,
    patients,
    evaluatedOn: ctx.today,
    averageCardBytes: Math.round((cardBytes / contacts) * 10) / 10,
    load: { seconds: loadSeconds, itemsPerSec: contacts / loadSeconds },
    evaluations,
    price: PRICE,
    sample,
    fullScan: {
      estimate: true,
      bytes: scanBytes,
      readUnits: readUnitsOf(scanBytes),
      costUsd: costOf(readUnitsOf(scanBytes)),
      assumptions: [
        `each of the ${contacts} people holds what one import of samples/prospects.csv left per person, measured by a Scan of a tracker holding that import alone: ` +
          `${sample.itemsPerContact} items, ${sample.bytesPerContact} bytes (the profile ${sample.profileBytes} bytes; items by kind for ${sample.contacts} people: ${JSON.stringify(sample.itemsByKind)}; the import's own record shared out)`,
        `items with a TTL (${sample.temporaryItems} import work items of the sample) left out: they expire`,
        'eventually consistent Scan: ceil(bytes / 4096) × 0.5 read units over the table (1 MB pages make the rounding negligible)',
        'cadence and broadcast activity (enrollments, attempts, more history) adds items per person: a working tracker reads more',
      ],
    },
    maxRssMb: maxRssMb(),
  };
}

async function broadcast(spec: SegmentWorkerSpec, stack: LocalStack, config: StageConfig): Promise<BroadcastWorkerResult> {
  const practice = findPractice(config, spec.practiceId)!;
  const identity = practice.sms.originationIdentity!;
  const t = performance.now();
  const imported = await importFile(stack, spec.file!, { practiceId: practice.id });
  const { execution, summary } = imported;
  const importFigures = { status: execution.status, created: summary?.created ?? 0, seconds: (performance.now() - t) / 1000, ...(execution.error ? { error: `${execution.error}: ${execution.cause ?? ''}` } : {}) };
  say(spec.label, `import ${execution.status} in ${importFigures.seconds.toFixed(1)} s: ${importFigures.created} created`);

  // The window follows the virtual clock (10:00 on a weekday, the recipients' zone); the pacer, real time.
  const question = { ...MOBILE_FILE_RECIPIENT, practiceTimeZone: practice.timeZone, practiceWindow: practice.sendWindow };
  const { at, open } = daytimeStart(new Date(), practice.timeZone, question, config.sendWindow, 2 * 3_600_000, 10);
  const { startBroadcast, runDependencies } = await import('../../lambdas/handlers/run-support');
  const answer = await withClock(new VirtualClock(at), () => startBroadcast({ practiceId: practice.id, name: BENCH_BROADCAST, at: at.toISOString(), confirm: true, trigger: 'bench', by: 'bench' }));
  if (!('run' in answer)) throw new Error(`the broadcast did not start: ${JSON.stringify(answer)}`);
  const { runs } = await startedRuns(stack);
  say(spec.label, `${answer.status} at ${at.toISOString()} (virtual); running ${runs.length} run execution(s), ${identity} paced to ${practice.sms.messagesPerSecond}/s`);
  const t0 = performance.now();
  const executions: string[] = [];
  for (const r of runs) {
    const { result } = await runRun(r.input, at, r.name);
    executions.push(`${r.name}: ${result.status}${result.error ? ` (${result.error}: ${result.cause ?? ''})` : ''}`);
  }
  const runSeconds = (performance.now() - t0) / 1000;
  const run = (await runDependencies().runs.getRun(practice.id, answer.run.runId))!;

  const texts = (await allRecords<{ OriginationIdentity?: string; DestinationPhoneNumber?: string }>(stack.engines.sandbox!, 'texts')).filter((r) => r.data.OriginationIdentity === identity);
  const times = texts.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
  let maxPerSecond = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[first]! <= times[last]! - 1000) first++;
    maxPerSecond = Math.max(maxPerSecond, last - first + 1);
  }
  const gaps = times.slice(1).map((x, i) => x - times[i]!).sort((a, b) => a - b);
  const gap = (share: number) => gaps[Math.min(gaps.length - 1, Math.floor(share * gaps.length))] ?? 0;
  const perDestination = new Map<string, number>();
  for (const r of texts) perDestination.set(r.data.DestinationPhoneNumber ?? '', (perDestination.get(r.data.DestinationPhoneNumber ?? '') ?? 0) + 1);
  return {
    type: 'result',
    mode: 'broadcast',
    label: spec.label,
    import: importFigures,
    identity,
    messagesPerSecond: practice.sms.messagesPerSecond,
    clockStart: at.toISOString(),
    sendWindowOpenAtStart: open,
    startAnswer: answer.status,
    executions,
    runSeconds,
    run: { status: run.status, members: run.members, queued: run.queued, sent: run.sent, failed: run.failed, skipped: { ...run.skipped } },
    texts: texts.length,
    ...(times.length > 0 ? { firstAt: new Date(times[0]!).toISOString(), lastAt: new Date(times.at(-1)!).toISOString() } : {}),
    spanSeconds: times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0,
    maxPerSecond,
    gapsMs: { min: gaps[0] ?? 0, median: gap(0.5), p90: gap(0.9), max: gaps.at(-1) ?? 0 },
    duplicates: [...perDestination.values()].reduce((n, c) => n + c - 1, 0),
  };
}

void workerMain((spec: SegmentWorkerSpec) => onLocalStack<SegmentsWorkerResult | BroadcastWorkerResult>(spec, (stack, config) => (spec.mode === 'segments' ? segments(spec, stack, config) : broadcast(spec, stack, config))));
