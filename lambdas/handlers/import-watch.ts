/**
 * Daily task: for each practice, ImportMissing = 1 when its monthly file is late (the due day
 * has passed in its time zone and no import started this month, domain/import-watch.ts), else
 * 0, so the alarm sees a value every day. Ids and counts only.
 */
import { now } from '../adapters/clock';
import { countOutcome } from '../adapters/outcome-metrics';
import { logger } from '../adapters/powertools';
import { importMissing } from '../domain/import-watch';
import { dependencies } from './cadence-support';

export const handler = async (): Promise<{ readonly missing: string[] }> => {
  const { config, tracker } = dependencies();
  const at = now();
  const missing: string[] = [];
  for (const practice of config.practices) {
    const late = importMissing({ now: at, timeZone: practice.timeZone, dueDay: config.observability.importDueDay, latestImportStartedAt: await tracker.latestImportStartedAt(practice.id) });
    countOutcome('ImportMissing', { practice: practice.id }, late ? 1 : 0);
    if (late) missing.push(practice.id);
  }
  logger.info('import watch', { practices: config.practices.length, missing });
  return { missing };
};
