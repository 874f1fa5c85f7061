#!/usr/bin/env node
// `npx outreach`: the ops CLI (local/ops-cli.ts), run through tsx so no build step is needed.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'ops-cli.ts');
const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...process.argv.slice(2)], { stdio: 'inherit', cwd: process.cwd() });
process.exit(result.status ?? 1);
