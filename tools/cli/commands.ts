/**
 * The `qrpay` subcommands. Each entry loads its module only when run, so one
 * tool's dependencies never slow another's start. A command module exports
 * `run(args: string[]): Promise<number>` (the exit code).
 */
export interface CommandModule {
  run(args: string[]): Promise<number>;
}

export interface Command {
  summary: string;
  load(): Promise<CommandModule>;
}

export const commands: Record<string, Command> = {
  gnss: { summary: 'run a captured NMEA log through the GNSS driver and print what the terminal reports', load: () => import('../gnss/gnss') },
  demo: { summary: 'run the simulator demo end to end (what `npm start` runs)', load: () => import('./demo') },
  scenario: { summary: 'run one scenario (copied, forged, stale-gps, offline, power-cut, ...) end to end; --list names them', load: () => import('./scenario') },
  authorizer: { summary: 'run the reference authorizer (HTTP on loopback, SQLite database)', load: () => import('./authorizer') },
  terminal: { summary: 'pay once at a simulated terminal against a running authorizer (code as PNG or text)', load: () => import('./terminal') },
  wallet: { summary: 'wallet keys, credentials, operator lists and payment codes (text, QR, PNG)', load: () => import('../wallet/cli') },
  operator: { summary: 'operator tools over the authorizer database: terminals, transactions, decision factors, freeze, report, refunds, outbox', load: () => import('../operator/cli') },
  sim: { summary: 'the simulator in a browser: authorizer, terminals, phone and operator on one live page', load: () => import('./sim') },
  scan: { summary: 'decode a QR code in a PNG image with the terminal\'s scanner', load: () => import('../scan/command') },
};
