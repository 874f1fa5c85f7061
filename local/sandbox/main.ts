/**
 * Run the sandbox as its own process:
 *   npx tsx local/sandbox/main.ts '{"rateLimits":{"PhoneNumberValidate":20}}'
 *   node --require tsx/cjs local/sandbox/main.ts '{...}'   (how the local engines start it)
 * Options (SandboxOptions) come from the first argument or SANDBOX_OPTIONS, as JSON.
 * Prints one line `{"sandbox":"http://127.0.0.1:PORT"}` on stdout when ready; exits on
 * SIGTERM/SIGINT, when started with an IPC channel and that channel closes, and when its
 * parent process is gone.
 */
import { startSandbox } from './server';
import { SandboxOptionsSchema } from './types';

async function main(): Promise<void> {
  const raw = process.argv[2] ?? process.env.SANDBOX_OPTIONS ?? '{}';
  let options;
  try {
    options = SandboxOptionsSchema.parse(JSON.parse(raw));
  } catch (error) {
    process.stderr.write(`sandbox: invalid options ${raw}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const sandbox = await startSandbox(options);

  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 2000);
    force.unref();
    void sandbox.close().finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  if (process.send) process.on('disconnect', () => stop(0));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop(0); // re-parented: whoever started us is gone
  }, 1000).unref();

  process.stdout.write(`${JSON.stringify({ sandbox: sandbox.url })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
