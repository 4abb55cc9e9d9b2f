/**
 * The `qrpay` command's exit codes and its one error path. Every subcommand
 * returns one of these codes; anything it throws reaches `describeFailure`,
 * which turns it into one line (what went wrong and, where we know it, the
 * fix) instead of a stack trace. README.md ("Exit codes") documents the table.
 */
import type { DecisionOutcome } from '../../src/terminal/decision';

export const exitCodes = {
  /** Done; for a payment: approved. */
  ok: 0,
  /** The command could not do its work: a busy port, an unreachable authorizer, a refusal, an unexpected error. */
  failed: 1,
  /** Bad flags, arguments or input files (missing, or not what the flag wants): nothing was attempted. */
  usage: 2,
  /** The payment was declined, or the code was rejected (`qrpay wallet verify`). */
  declined: 3,
  /** The payment was held: accepted, funds pending review. */
  held: 4,
  /** No verifiable answer came back: nothing was released. */
  noAnswer: 5,
  /** The authorizer asked the customer to confirm in the wallet app and no final decision came in time. */
  stepUp: 6,
} as const;

export function exitCodeForOutcome(outcome: DecisionOutcome): number {
  switch (outcome) {
    case 'approved': return exitCodes.ok;
    case 'declined': return exitCodes.declined;
    case 'held': return exitCodes.held;
    case 'no-answer': return exitCodes.noAnswer;
    case 'step-up': return exitCodes.stepUp;
  }
}

/** A failure a command reports on purpose: its message, and the exit code (by default `failed`). */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = exitCodes.failed) {
    super(message);
    this.exitCode = exitCode;
  }
}
Object.defineProperty(CliError.prototype, 'name', { value: 'CliError' });

/** Node's system errors we can explain, with the fix. */
const systemErrors: Record<string, (e: SystemError) => string> = {
  ENOENT: (e) => `no such file or directory: ${e.path ?? ''}`.trimEnd(),
  EACCES: (e) => `permission denied: ${e.path ?? e.address ?? ''}`.trimEnd(),
  EISDIR: (e) => `${e.path ?? 'the path'} is a directory, not a file`,
  ENOTDIR: (e) => `${e.path ?? 'a path'}: a part of the path is not a directory`,
  EEXIST: (e) => `${e.path ?? 'the file'} already exists`,
  EADDRINUSE: (e) => `address ${e.address ?? ''}:${e.port ?? ''} is already in use: stop the other server or pick another --port`,
  EADDRNOTAVAIL: (e) => `cannot listen on ${e.address ?? 'that address'}: not an address of this machine (see --host)`,
  ECONNREFUSED: (e) => `nothing is listening at ${e.address ?? ''}:${e.port ?? ''}: is the authorizer running (qrpay authorizer)?`,
};

/** A path the user gave that does not work: bad input (2), not a failure of the command (1). */
const badPathCodes = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EEXIST']);

interface SystemError extends Error {
  code?: string;
  path?: string;
  address?: string;
  port?: number;
}

/** One line for anything a command threw, and the exit code to leave with. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (!(error instanceof Error)) return { message: String(error), exitCode: exitCodes.failed };
  const system = error as SystemError;
  const missing = missingPackage(error);
  if (missing) {
    return { message: `this command needs the package ${missing}, which is not installed: npm install ${missing}`, exitCode: exitCodes.failed };
  }
  if (system.code && Object.prototype.hasOwnProperty.call(systemErrors, system.code)) {
    return { message: systemErrors[system.code](system), exitCode: badPathCodes.has(system.code) ? exitCodes.usage : exitCodes.failed };
  }
  // `fetch failed` says nothing; its cause says what (refused, unknown host).
  if (error.message === 'fetch failed' && error.cause instanceof Error) return describeFailure(error.cause);
  const kind = (error as { kind?: unknown }).kind ?? (error as { reason?: unknown }).reason;
  const message = typeof kind === 'string' && !error.message.startsWith(kind) ? `${kind}: ${error.message}` : error.message;
  const hint = kind === 'enrollment-failed' ? ': is the authorizer running at that address (qrpay authorizer, --authorizer URL)?' : '';
  return { message: message + hint, exitCode: exitCodes.failed };
}

/**
 * The bare package name when `error` is Node failing to find one (an optional
 * peer left out): ERR_MODULE_NOT_FOUND from `import`, MODULE_NOT_FOUND from a
 * `require` at the point of use (hal/sim/png.ts loads pngjs that way).
 */
function missingPackage(error: Error): string | undefined {
  const code = (error as SystemError).code;
  if (code === 'ERR_MODULE_NOT_FOUND') return /Cannot find package '([^']+)'/.exec(error.message)?.[1];
  if (code !== 'MODULE_NOT_FOUND') return undefined;
  // A bare specifier only (not './x'): the package name is its first segment, or two for a scope.
  const match = /^Cannot find module '((?:@[^'/.][^'/]*\/)?[^'/.][^'/]*)(?:\/[^']*)?'/.exec(error.message);
  return match?.[1];
}
