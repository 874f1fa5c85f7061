#!/usr/bin/env node
// `npx outreach`: the ops CLI (local/ops-cli.ts), run through tsx so no build step is needed.
// `--import tsx` would resolve tsx from the working directory, which fails outside the
// repository: tsx's loader and the repository's tsconfig are found from this file instead,
// while the CLI keeps the caller's working directory (file paths given to it are theirs).
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = join(__dirname, '..', '..');
const cli = join(root, 'local', 'ops-cli.ts');
const tsx = pathToFileURL(require.resolve('tsx', { paths: [root] })).href;
const result = spawnSync(process.execPath, ['--import', tsx, cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd(),
  env: { ...process.env, TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH ?? join(root, 'tsconfig.json') },
});
process.exit(result.status ?? 1);
