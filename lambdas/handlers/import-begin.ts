/**
 * Import step 1: an object landed in inbox/<practice-id>/. Identify the object version,
 * check the file can be read at all (before anything is written), and claim the run —
 * or find that this version is already imported or being imported by another execution.
 */
import { z } from 'zod';
import { HeaderResolver, headerProblem, type CanonicalField } from '../domain/import-columns';
import { readEntries, sniffFile, type FileLayout } from '../domain/import-file';
import { emptyNumberCounts, emptyRowCounts, type ImportRun } from '../domain/import-run';
import { logger } from '../adapters/powertools';
import { dependencies, identifyUpload, ImportFileUnreadable, objectCreatedEvent, versionIdOf } from './import-support';

const input = z.object({ event: objectCreatedEvent, executionId: z.string().min(1) });

/** How long a run may go without a checkpoint before another execution may take it over. */
const LEASE_MS = 20 * 60_000;
const SAMPLE_BYTES = 64 * 1024;

export type BeginResult = { readonly action: 'import' | 'skip'; readonly importId: string; readonly reason?: string };

export const handler = async (payload: unknown): Promise<BeginResult> => {
  const { event, executionId } = input.parse(payload);
  const { config, tracker, files } = dependencies();
  const { source, importId, practice } = await identifyUpload(event, files, config);
  const now = new Date().toISOString();

  const existing = await tracker.getImport(importId);
  if (existing) return resume(existing, executionId, now);

  const sample = source.size === 0 ? Buffer.alloc(0) : await files.readBytes(source.bucket, source.key, versionIdOf(source), 0, Math.min(source.size, SAMPLE_BYTES) - 1);
  const layout = await readableLayout(sample, source.size <= SAMPLE_BYTES, { ...config.import.headerAliases, ...practice.import.headerAliases });
  const run: ImportRun = {
    importId,
    practiceId: practice.id,
    source,
    layout: layout.ok ? layout.layout : { format: { kind: 'jsonl' }, dataStart: { byte: 0, line: 1 } },
    phase: layout.ok ? 'rows' : 'unreadable',
    owner: executionId,
    rowCursor: layout.ok ? layout.layout.dataStart : { byte: 0, line: 1 },
    rowCounts: emptyRowCounts(),
    numberCursor: { shard: 0 },
    numberCounts: emptyNumberCounts(),
    enrollCursor: { shard: 0 },
    enrollCounts: { enrolled: 0, notEnrolled: {} },
    startedAt: now,
    updatedAt: now,
    ...(layout.ok ? {} : { failure: { error: 'ImportFileUnreadable', cause: layout.problem } }),
  };
  const claim = await tracker.claimImport(run);
  if (!claim.created) return resume(claim.run, executionId, now);
  logger.info('import claimed', { importId, practiceId: practice.id, bytes: source.size });
  if (!layout.ok) throw new ImportFileUnreadable(layout.problem);
  return { action: 'import', importId };
};

/** A run for this object version exists: go on with it, leave it to its owner, or take it over. */
async function resume(run: ImportRun, executionId: string, now: string): Promise<BeginResult> {
  const { tracker } = dependencies();
  if (run.phase === 'done') return { action: 'skip', importId: run.importId, reason: 'already imported' };
  if (run.phase === 'unreadable') return { action: 'skip', importId: run.importId, reason: `cannot be read: ${run.failure?.cause ?? 'unreadable'}` };
  if (run.owner === executionId) return { action: 'import', importId: run.importId };
  const stalled = Date.parse(now) - Date.parse(run.updatedAt) > LEASE_MS;
  if (!run.failure && !stalled) return { action: 'skip', importId: run.importId, reason: 'another execution is importing it' };
  await tracker.takeOverImport(run.importId, executionId, run.owner, now);
  logger.info('import resumed from its checkpoint', { importId: run.importId, phase: run.phase });
  return { action: 'import', importId: run.importId };
}

/** The file's layout, or the reason no row of it can be read. */
async function readableLayout(sample: Buffer, whole: boolean, aliases: Readonly<Record<string, CanonicalField>>): Promise<{ ok: true; layout: FileLayout } | { ok: false; problem: string }> {
  const sniffed = sniffFile(sample, whole);
  if (!sniffed.ok) return sniffed;
  const { format, dataStart } = sniffed.layout;
  let headers: readonly string[] = format.kind === 'csv' ? format.header : [];
  if (format.kind === 'jsonl') {
    // JSON Lines have no header row: the first readable object's keys stand for it.
    const end = whole ? sample.length : sample.lastIndexOf(0x0a) + 1;
    async function* once() {
      yield sample.subarray(dataStart.byte, end);
    }
    for await (const entry of readEntries(once(), format, dataStart)) {
      if (entry.kind === 'row') {
        headers = entry.cells.map(([h]) => h);
        break;
      }
    }
    if (headers.length === 0) return { ok: false, problem: 'no recognisable header: no line in the first 64 KiB is a JSON object' };
  }
  const resolver = new HeaderResolver(aliases);
  const problem = headerProblem(headers.map((h) => resolver.resolve(h)));
  return problem ? { ok: false, problem } : sniffed;
}
