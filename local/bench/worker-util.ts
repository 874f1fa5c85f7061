/** What every benchmark worker process shares: the IPC channel to the parent and /proc readings. */
import { readFileSync } from 'node:fs';
import { parseStageConfig, type StageConfig } from '../../lambdas/domain/stage-config';
import { startLocalStack, type LocalStack } from '../local-stack';
import type { SandboxOptions } from '../sandbox/types';

const MB = 1024 * 1024;

/** Sends a message to the parent over IPC (or prints it as a JSON line when run by hand). */
export function send(message: object): Promise<void> {
  return new Promise((resolve) => {
    if (process.send && process.connected) process.send(message, undefined, {}, () => resolve());
    else process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve());
  });
}

export function mb(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}

/** Peak resident size of another process (VmHWM), Linux only. */
export function peakRssOf(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) another process has used so far, Linux only. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted from after the command name; 100 ticks a second on Linux.
    return Math.round(((Number(fields[11]) + Number(fields[12])) / 100) * 10) / 10;
  } catch {
    return undefined;
  }
}

export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** This process's high-water resident size so far (process.resourceUsage().maxRSS). */
export function maxRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/** One of the worker's own lines, printed by the parent (`{ type: 'log', text }`). */
export function say(label: string, text: string): void {
  void send({ type: 'log', text: `  [${label}] ${text}` });
}

/** Starts the local stack on the spec's state directory and config, runs `work` on it, and stops it. */
export async function onLocalStack<R>(spec: { readonly stateDir: string; readonly configPath: string; readonly sandbox: SandboxOptions }, work: (stack: LocalStack, config: StageConfig) => Promise<R>): Promise<R> {
  const config = parseStageConfig(JSON.parse(readFileSync(spec.configPath, 'utf8')) as unknown, spec.configPath);
  const stack = await startLocalStack({ stateDir: spec.stateDir, configPath: spec.configPath, sandbox: spec.sandbox });
  try {
    return await work(stack, config);
  } finally {
    await stack.stop();
  }
}

/** Runs a worker's `run(spec)` and sends its result (or its error) to the parent, then exits. */
export async function workerMain<S>(run: (spec: S) => Promise<object>): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as S;
  try {
    await send(await run(spec));
  } catch (error) {
    await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
  }
  // The message is out; exit even if something (a half-started stack) still holds the loop.
  // The engines kill their children on 'exit'.
  process.exit();
}
