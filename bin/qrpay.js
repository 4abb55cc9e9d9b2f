#!/usr/bin/env node
// The `qrpay` command: desktop tools (simulator demo, wallet, authorizer, scanner, GNSS replay).
// Runs the TypeScript sources directly through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../tools/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
