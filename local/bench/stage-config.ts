/** A temporary stage config for a benchmark run: the sample config with the knobs the run needs. */
import { readFile, writeFile } from 'node:fs/promises';
import { parseStageConfig, type StageConfig } from '../../lambdas/domain/stage-config';

export interface BenchConfigOverrides {
  readonly ratePerSecond: number;
  readonly rowsPerInvocation: number;
  readonly numbersPerInvocation?: number;
}

/** Writes `<path>` from `samplePath` with the overrides applied; checks it against the schema first. */
export async function writeBenchConfig(samplePath: string, path: string, overrides: BenchConfigOverrides): Promise<StageConfig> {
  const sample = parseStageConfig(JSON.parse(await readFile(samplePath, 'utf8')) as unknown, samplePath);
  const config: StageConfig = {
    ...sample,
    import: { ...sample.import, rowsPerInvocation: overrides.rowsPerInvocation },
    validation: {
      ...sample.validation,
      ratePerSecond: overrides.ratePerSecond,
      ...(overrides.numbersPerInvocation !== undefined ? { numbersPerInvocation: overrides.numbersPerInvocation } : {}),
    },
  };
  const checked = parseStageConfig(config, path);
  await writeFile(path, `${JSON.stringify(checked, null, 2)}\n`);
  return checked;
}

/** The practice every benchmark file is dropped for (the sample's first). */
export async function firstPracticeId(samplePath: string): Promise<string> {
  const sample = parseStageConfig(JSON.parse(await readFile(samplePath, 'utf8')) as unknown, samplePath);
  return sample.practices[0]!.id;
}
