#!/usr/bin/env node
// The `qrpay` command: desktop tools (simulator demo, wallet, authorizer, scanner, GNSS replay).
// In a source checkout it runs the TypeScript sources through tsx (a devDependency), so an edit
// shows at once; an installed package has no sources and runs its compiled dist/ instead.
import { existsSync } from 'node:fs';

const sources = new URL('../tools/cli/main.ts', import.meta.url);
let cli;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(sources.href);
} else {
  cli = await import('../dist/tools/cli/main.js');
}
cli.guardProcess(process.argv.slice(2));
process.exitCode = await cli.main(process.argv.slice(2));
