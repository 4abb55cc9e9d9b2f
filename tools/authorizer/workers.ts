/**
 * Many authorizer processes on one port (node:cluster): the primary forks
 * the workers, each a whole authorizer over the same database, and the
 * primary hands incoming connections to them in turn. Nothing that matters
 * for correctness is shared in memory: codes seen, traces, decisions and the
 * outbox are the database's (PostgreSQL, or SQLite's file lock), so a worker
 * may die and be replaced at any moment. The primary serves nothing itself.
 */
import cluster, { type Worker } from 'node:cluster';

export interface PrimaryOptions {
  workers: number;
  /** Called once every worker listens, with the address the first one reported. */
  onListening(address: { host: string; port: number }): void;
  log(line: string): void;
  /** Resolves when the cluster is to stop (the CLI's SIGTERM / SIGINT). */
  stop: Promise<unknown>;
}

/** True in a process the primary forked. */
export const isWorker = (): boolean => cluster.isWorker;

/** A worker that has closed its server: drops the channel to the primary, the last thing keeping the process alive. */
export function leaveCluster(): void {
  cluster.worker?.disconnect();
}

/**
 * Forks the workers (each re-runs this process's command line), replaces any
 * that dies while serving, and when `stop` resolves asks each to stop
 * (SIGTERM: each drains its requests under way and closes its database) and
 * resolves when all have exited.
 */
export function runPrimary(options: PrimaryOptions): Promise<void> {
  let stopping = false;
  let listening = 0;
  const fork = (): Worker => cluster.fork();
  cluster.on('listening', (_worker, address) => {
    if (++listening === options.workers) {
      options.onListening({ host: address.address ?? '127.0.0.1', port: address.port });
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    options.log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  for (let i = 0; i < options.workers; i++) fork();
  return options.stop.then(() => new Promise<void>((resolve) => {
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    if (alive.length === 0) return resolve();
    let left = alive.length;
    for (const worker of alive) {
      worker.once('exit', () => {
        if (--left === 0) resolve();
      });
      // A worker signalled already (systemd's whole control group, a terminal's process group) ignores this one.
      worker.process.kill('SIGTERM');
    }
  }));
}
