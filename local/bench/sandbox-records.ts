/** The sandbox's records of one kind, read page by page (a list can be 100,000 long). */
import type { SandboxControl, SandboxRecord } from '../sandbox/types';

const PAGE = 5000;

export async function countRecords(sandbox: SandboxControl, kind: string): Promise<number> {
  let count = 0;
  await eachRecord(sandbox, kind, () => {
    count += 1;
  });
  return count;
}

export async function allRecords<T>(sandbox: SandboxControl, kind: string): Promise<SandboxRecord<T>[]> {
  const out: SandboxRecord<T>[] = [];
  await eachRecord<T>(sandbox, kind, (r) => out.push(r));
  return out;
}

async function eachRecord<T>(sandbox: SandboxControl, kind: string, visit: (record: SandboxRecord<T>) => void): Promise<void> {
  let since = 0;
  for (;;) {
    const page = await sandbox.records<T>(kind, { since, limit: PAGE });
    if (page.length === 0) return;
    page.forEach(visit);
    since = page.at(-1)!.seq;
  }
}
