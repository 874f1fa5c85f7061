/** Imported first by a benchmark worker: the handlers' logs are for CloudWatch, the worker's answer is its figures (Powertools reads the level when a module creates its logger). */
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
