import { vi } from 'vitest';

export interface Captured {
  code: number;
  /** console.log lines. */
  out: string;
  /** console.error lines. */
  err: string;
  /** Both, in the order they were written. */
  all: string;
}

/** Runs a CLI command's `run` with console.log and console.error captured (and restored after, even on a throw). */
export async function captureConsole(command: () => Promise<number>): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const all: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    out.push(parts.join(' '));
    all.push(parts.join(' '));
  });
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    err.push(parts.join(' '));
    all.push(parts.join(' '));
  });
  try {
    const code = await command();
    return { code, out: out.join('\n'), err: err.join('\n'), all: all.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
