/** Runs an `npm run -s <script>` command as people run it, and reads its one JSON line. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function npmCommand(script: string, ...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      done({ code, stdout, stderr });
    });
  });
}

/** The command's answer: exactly one JSON line on stdout. */
export function answerOf(run: Run): unknown {
  const lines = run.stdout.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}
