/**
 * Daily task: writes each practice's print-vendor manifest for a day — one CSV line per
 * postcard the cadence queued (name, address, vendor template, return code) — to
 * postcards/<practice>/<date>.csv in the reports bucket. The mailing itself is the
 * vendor's. By default it writes yesterday's (each practice's local date), which is
 * complete; rewriting a day gives the same file.
 */
import { csvLine } from '../domain/csv';
import type { PostcardLine } from '../adapters/cadence-ledger';
import { dependencies } from './cadence-support';
import { writeDailyFiles, type DailyFileWritten } from './daily-files';

export const handler = async (payload: unknown): Promise<DailyFileWritten[]> =>
  writeDailyFiles(payload, { prefix: 'postcards/', name: 'postcard manifest', lines: (practiceId, date) => dependencies().ledger.postcards(practiceId, date), csv: manifestCsv });

export function manifestCsv(lines: readonly PostcardLine[]): string {
  const header = csvLine(['name', 'address line 1', 'address line 2', 'city', 'state', 'zip', 'template id', 'return code']);
  return '\uFEFF' + header + lines.map((l) => csvLine([l.name, l.address.line1, l.address.line2, l.address.city, l.address.state, l.address.zip, l.vendorTemplate, l.returnCode])).join('');
}
