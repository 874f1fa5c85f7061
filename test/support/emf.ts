/**
 * Captures the CloudWatch EMF lines Powertools Metrics writes to stdout while `fn` runs
 * (metrics on for that time, whatever POWERTOOLS_METRICS_DISABLED said, unless
 * `metricsDisabled`), so a test can check what a handler counted: the namespace, the metric,
 * its value and its exact dimension set.
 */
export interface EmfCount {
  readonly namespace: string;
  readonly name: string;
  readonly value: number;
  /** Dimension name → value, `service` included. */
  readonly dimensions: Readonly<Record<string, string>>;
}

interface EmfLine {
  readonly _aws: { readonly CloudWatchMetrics: ReadonlyArray<{ readonly Namespace: string; readonly Dimensions: string[][]; readonly Metrics: ReadonlyArray<{ readonly Name: string }> }> };
  readonly [key: string]: unknown;
}

export async function captureEmf<T>(fn: () => Promise<T> | T, options: { readonly metricsDisabled?: boolean } = {}): Promise<{ readonly result: T; readonly counts: EmfCount[] }> {
  const counts: EmfCount[] = [];
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = String(options.metricsDisabled ?? false);
  const write = process.stdout.write.bind(process.stdout);
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const line = emfLine(String(chunk));
    if (!line) return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    for (const directive of line._aws.CloudWatchMetrics) {
      // One dimension set per line is what the adapter writes; anything else would be a finding.
      if (directive.Dimensions.length !== 1) throw new Error(`expected one dimension set, got ${JSON.stringify(directive.Dimensions)}`);
      const dimensions = Object.fromEntries(directive.Dimensions[0]!.map((k) => [k, String(line[k])]));
      for (const metric of directive.Metrics) counts.push({ namespace: directive.Namespace, name: metric.Name, value: Number(line[metric.Name]), dimensions });
    }
    return true;
  }) as typeof process.stdout.write);
  try {
    return { result: await fn(), counts };
  } finally {
    spy.mockRestore();
    if (disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = disabled;
  }
}

function emfLine(text: string): EmfLine | undefined {
  if (!text.includes('"_aws"')) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<EmfLine>;
    return parsed._aws?.CloudWatchMetrics ? (parsed as EmfLine) : undefined;
  } catch {
    return undefined;
  }
}
