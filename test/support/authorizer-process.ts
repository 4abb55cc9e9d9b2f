/**
 * `qrpay authorizer` as a real process for the operations tests: its JSON log
 * lines parsed as they come, a wait for a line matching a predicate, and a
 * request whose body is sent in two parts, so a test can hold it in flight
 * across a signal. Node-only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { repoRoot } from '../xs/xsnap';

export interface LogLine {
  event: string;
  level: string;
  pid: number;
  msg?: string;
  url?: string;
  route?: string;
  status?: number;
  outcome?: string;
  [field: string]: unknown;
}

export class AuthorizerProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  /** Everything it wrote, stdout and stderr, for failure messages. */
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #partial = '';

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [join(repoRoot, 'bin', 'qrpay.js'), 'authorizer', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.output += text;
      const parts = (this.#partial + text).split('\n');
      this.#partial = parts.pop()!;
      for (const line of parts) {
        if (line.startsWith('{')) this.lines.push(JSON.parse(line) as LogLine);
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => void (this.output += chunk.toString('utf8')));
  }

  /** The first log line (already written, or to come) that `test` accepts. */
  async waitFor(test: (line: LogLine) => boolean, timeoutMs = 45_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(test);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the authorizer exited before the line was written:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops it if it still runs (SIGKILL after `graceMs`): nothing outlives a test. */
  async stop(graceMs = 15_000): Promise<boolean> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return true;
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs))]);
    if (!stopped) this.child.kill('SIGKILL');
    return stopped;
  }
}

export interface HeldRequest {
  /** Sends the rest of the body; resolves with the answer. */
  finish(): Promise<{ status: number; body: Uint8Array }>;
}

/**
 * POSTs `body` to `url` in two parts: the headers and the first bytes now (the server gets the request and waits
 * for the rest: a test confirms it has it, through the metrics' requests in flight), the remainder on `finish()`.
 */
export async function holdRequest(url: string, body: Uint8Array, contentType = 'application/cose'): Promise<HeldRequest> {
  let settle!: { resolve(answer: { status: number; body: Uint8Array }): void; reject(error: Error): void };
  const answer = new Promise<{ status: number; body: Uint8Array }>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const request = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': contentType, 'content-length': String(body.length) } }, (response) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => settle.resolve({ status: response.statusCode ?? 0, body: new Uint8Array(Buffer.concat(chunks)) }));
    response.on('error', settle.reject);
  });
  request.on('error', settle.reject);
  request.flushHeaders();
  request.write(body.subarray(0, 8));
  return {
    finish: () => {
      request.end(body.subarray(8));
      return answer;
    },
  };
}

/** Whether a new connection to `url` is accepted (a draining server's listening socket is closed). */
export function accepts(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(`${url}/v1/health`, { agent: false }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('error', () => resolve(false));
  });
}
