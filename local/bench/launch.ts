/**
 * Runs one import in a fresh worker process:
 *   process.execPath --import <tsx loader> local/bench/import-worker.ts '<spec>'
 * with an IPC channel for progress and the result. Unlike the engines' children, the worker
 * needs tsx's full loader (`--import tsx`), not just `--require tsx/cjs`: local-stack.ts
 * loads the handlers with dynamic `import()`, which goes through Node's ESM resolver and
 * fails on extensionless `.ts` paths without tsx's ESM hooks (ERR_MODULE_NOT_FOUND).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProgressMessage, WorkerMessage, WorkerResult, WorkerSpec } from './protocol';

export const WORKER_SCRIPT = join(__dirname, 'import-worker.ts');

/** tsx's loader (the package's main export), by URL so it works whatever the cwd. */
function tsxLoader(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

function workerArgs(spec: WorkerSpec | undefined): string[] {
  return ['--import', tsxLoader(), WORKER_SCRIPT, spec ? JSON.stringify(spec) : '<spec JSON>'];
}

/** The command line a worker is started with (for the report). */
export function workerCommand(): string {
  return [process.execPath, ...workerArgs(undefined)].join(' ');
}

export function runWorker(spec: WorkerSpec, onProgress: (progress: ProgressMessage) => void): Promise<WorkerResult> {
  const child = spawn(process.execPath, workerArgs(spec), {
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

  return new Promise<WorkerResult>((resolve, reject) => {
    let settled: WorkerResult | Error | undefined;
    child.on('message', (raw: unknown) => {
      const message = raw as WorkerMessage;
      if (message.type === 'progress') onProgress(message);
      else if (message.type === 'result') settled = message;
      else if (message.type === 'error') settled = new Error(`import worker failed: ${message.message}`);
    });
    child.once('error', (error) => reject(new Error(`could not start the import worker: ${error.message}`)));
    child.once('exit', (code, signal) => {
      process.off('SIGINT', interrupt);
      if (settled instanceof Error) reject(settled);
      else if (settled) resolve(settled);
      else reject(new Error(`import worker exited (code ${code}, signal ${signal}) without a result\n${stderr}`));
    });
  });
}
