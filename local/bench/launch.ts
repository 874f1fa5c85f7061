/**
 * Runs one benchmark measurement in a fresh worker process:
 *   process.execPath --import <tsx loader> local/bench/<import|enroll|cadence|disposition|segment>-worker.ts '<spec>'
 * with an IPC channel for progress and the result. Unlike the engines' children, the worker
 * needs tsx's full loader (`--import tsx`), not just `--require tsx/cjs`: local-stack.ts
 * loads the handlers with dynamic `import()`, which goes through Node's ESM resolver and
 * fails on extensionless `.ts` paths without tsx's ESM hooks (ERR_MODULE_NOT_FOUND).
 */
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProgressMessage, WorkerResult, WorkerSpec } from './protocol';

export const WORKER_SCRIPT = join(__dirname, 'import-worker.ts');
/** Enrolls an imported run in a process of its own (enroll-worker.ts). */
export const ENROLL_WORKER_SCRIPT = join(__dirname, 'enroll-worker.ts');
/** Runs the sender and transitions measurements (cadence-worker.ts). */
export const CADENCE_WORKER_SCRIPT = join(__dirname, 'cadence-worker.ts');
/** Runs the segments and broadcast measurements (segment-worker.ts). */
export const SEGMENT_WORKER_SCRIPT = join(__dirname, 'segment-worker.ts');

/** tsx's loader (the package's main export), by URL so it works whatever the cwd. */
function tsxLoader(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

function workerArgs(script: string, spec: object | undefined): string[] {
  return ['--import', tsxLoader(), script, spec ? JSON.stringify(spec) : '<spec JSON>'];
}

/** The command line a worker is started with (for the report). */
export function workerCommand(script = WORKER_SCRIPT): string {
  return [process.execPath, ...workerArgs(script, undefined)].join(' ');
}

export function runWorker(spec: WorkerSpec, onProgress: (progress: ProgressMessage) => void): Promise<WorkerResult> {
  return runScript<WorkerResult>(WORKER_SCRIPT, spec, (message) => {
    if ((message as ProgressMessage).type === 'progress') onProgress(message as ProgressMessage);
  });
}

/**
 * Runs `script` in a fresh Node process with `spec` as its argument and an IPC channel:
 * messages of type `result` settle the promise, `error` rejects it, anything else goes to
 * `onMessage` (progress).
 */
export function runScript<R extends { readonly type: 'result' }>(script: string, spec: object, onMessage: (message: unknown) => void): Promise<R> {
  const child = spawn(process.execPath, workerArgs(script, spec), {
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-16 * 1024);
    process.stderr.write(text);
  });
  // Stop the worker (and with it its engines) if the benchmark is interrupted.
  const interrupt = () => child.kill('SIGTERM');
  process.once('SIGINT', interrupt);
  const name = basename(script, '.ts');

  return new Promise<R>((resolve, reject) => {
    let settled: R | Error | undefined;
    child.on('message', (raw: unknown) => {
      const message = raw as { type?: string; message?: string };
      if (message.type === 'result') settled = raw as R;
      else if (message.type === 'error') settled = new Error(`${name} failed: ${message.message ?? ''}`);
      else onMessage(raw);
    });
    child.once('error', (error) => reject(new Error(`could not start ${name}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      process.off('SIGINT', interrupt);
      if (settled instanceof Error) reject(settled);
      else if (settled) resolve(settled);
      else reject(new Error(`${name} exited (code ${code}, signal ${signal}) without a result\n${stderr}`));
    });
  });
}
