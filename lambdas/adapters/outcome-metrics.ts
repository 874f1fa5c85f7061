/**
 * Counts outcomes (domain/outcome-metrics.ts) as CloudWatch metrics through Powertools (EMF).
 *
 * Each count is written at once, as its own EMF line: handlers here end by returning or by
 * throwing to their caller (Step Functions, SNS, EventBridge), with no flush middleware, so a
 * count held for a flush at the end could be lost with a later error — and a message the
 * provider accepted must be counted even if recording it then fails. One line per event is
 * cheap at these volumes.
 *
 * The service is always `patient-outreach` and the namespace the stage's, whatever function
 * counts, so the alarms (which cannot search) name one exact dimension set. Counting never
 * fails the work it counts.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { dimensionValue, OUTCOME_SERVICE, outcomeNamespace, type OutcomeDimensions, type OutcomeMetric } from '../domain/outcome-metrics';
import { logger } from './powertools';
import { loadStageConfig } from './settings';

export function countOutcome<M extends OutcomeMetric>(name: M, dimensions: OutcomeDimensions<M>, n = 1): void {
  try {
    // A new single-metric instance per count: it writes on addMetric, and reads
    // POWERTOOLS_METRICS_DISABLED as it is now (the local engines turn metrics off).
    const metric = new Metrics({ namespace: outcomeNamespace(loadStageConfig().stage), serviceName: OUTCOME_SERVICE, singleMetric: true });
    for (const [key, value] of Object.entries<string>(dimensions)) metric.addDimension(key, dimensionValue(value));
    metric.addMetric(name, MetricUnit.Count, n);
  } catch (e) {
    logger.warn('outcome metric not published', { metric: name, error: (e as Error).message });
  }
}
