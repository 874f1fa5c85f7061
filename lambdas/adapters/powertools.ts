/**
 * One Powertools setup for every handler. Logs carry ids and counts only: never names,
 * phone numbers, addresses or message text.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'patient-outreach';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'PatientOutreach' });
export const tracer = new Tracer({ serviceName });
