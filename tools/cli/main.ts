import { commands } from './commands';
import { describeFailure, exitCodes } from './exit';
import { packageVersion } from './version';

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: qrpay [--debug] <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'qrpay <command> --help shows a command\'s options; qrpay --version prints the version.',
    '--debug prints the stack of an unexpected error.',
    'exit codes: 0 ok / approved, 1 failed, 2 bad usage or input, 3 declined, 4 held, 5 no answer, 6 step-up unconfirmed.',
  ].join('\n');
}

/**
 * Runs one `qrpay` command and returns its exit code. This is the one error
 * path of every subcommand: whatever a command throws becomes one line on
 * stderr (`qrpay <command>: <what>`), with the stack only under `--debug`.
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const [name, ...rest] = argv.filter((arg) => arg !== '--debug');
  if (name === '--version' || name === '-v') {
    console.log(packageVersion());
    return exitCodes.ok;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? console.log : console.error)(usage());
    return name ? exitCodes.ok : exitCodes.usage;
  }
  const command = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
  if (!command) {
    console.error(`qrpay: unknown command '${name}'\n\n${usage()}`);
    return exitCodes.usage;
  }
  try {
    const module = await command.load();
    return await module.run(rest);
  } catch (error) {
    const { message, exitCode } = describeFailure(error);
    console.error(`qrpay ${name}: ${message}`);
    if (debug) console.error(error);
    else if (exitCode === exitCodes.failed && !isExplained(error)) console.error('(run again with --debug for the details)');
    return exitCode;
  }
}

/** Errors whose message is the whole story (a typed error or a system error we explained). */
function isExplained(error: unknown): boolean {
  return error instanceof Error && (error.name !== 'Error' || typeof (error as { code?: unknown }).code === 'string');
}

/**
 * The process-wide part of the one error path, for bin/qrpay.js. Output piped
 * into a reader that stops early (`qrpay ... | head`) is not an error of ours:
 * leave quietly instead of throwing EPIPE. An error that escapes every command
 * (thrown from a timer or an event) still becomes one line, not a stack.
 */
export function guardProcess(argv: string[]): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? exitCodes.ok);
      throw error;
    });
  }
  const lastResort = (error: unknown) => {
    const { message } = describeFailure(error);
    console.error(`qrpay: unexpected error: ${message}`);
    if (argv.includes('--debug')) console.error(error);
    else console.error('(run again with --debug for the details)');
    process.exit(exitCodes.failed);
  };
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
}
