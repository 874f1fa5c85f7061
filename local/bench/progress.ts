/** Progress lines the benchmark prints while its workers run. */
import type { ProgressMessage } from './protocol';

export const nf = (n: number) => Math.round(n).toLocaleString('en-US');

/** One progress line every `everyMs`, and always on a phase change. */
export function progressPrinter(label: string, total: number, everyMs: number): (p: ProgressMessage) => void {
  let lastPrinted = 0;
  let lastPhase = '';
  return (p) => {
    const now = Date.now();
    if (p.phase === lastPhase && now - lastPrinted < everyMs) return;
    lastPrinted = now;
    lastPhase = p.phase;
    const numbers = p.phase === 'numbers' || p.phase === 'finishing' || p.phase === 'done' ? `, numbers ${nf(p.lookups)} looked up of ${nf(p.uniqueNumbers)} done` : '';
    console.log(`  [${label}] ${p.elapsedSeconds.toFixed(1)} s  ${p.phase.padEnd(9)} rows ${nf(p.rowsRead)}/${nf(total)}${numbers}  rss ${p.rssMb} MB heap ${p.heapUsedMb} MB`);
  };
}
