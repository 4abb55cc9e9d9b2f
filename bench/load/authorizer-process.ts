/**
 * The authorizer under load, in processes of its own (so their CPU time and
 * profiles are theirs): started by bench/load.ts with `--cpu-prof`, it runs
 * the real authorizer (judgement, SQLite or PostgreSQL, notifications spooled
 * to the data directory) on loopback and talks to its parent over IPC: it
 * sends {url, decisionKey} once listening; on {mark} it starts counting CPU
 * time; on {stop} it closes, reports the CPU time and exits (which writes the
 * CPU profile). With `workers` > 1 it is a node:cluster primary, as
 * `qrpay authorizer --workers N` is: it prepares the database once, forks the
 * workers (each profiled), relays mark and stop to them and reports its own
 * CPU time plus theirs.
 */
import cluster, { type Worker } from 'node:cluster';
import { startAuthorizer } from '../../tools/authorizer/authorizer';
import { composeAuthorizer, type CompositionConfig } from '../../tools/authorizer/composition';

interface Start {
  dataDir: string;
  database?: string;
  workers: number;
  issuer: { alg: 'ES256' | 'EdDSA'; kid: string; publicKey: string };
}

interface Control { stop?: boolean; mark?: boolean }

const [config] = process.argv.slice(2);
const start = JSON.parse(config) as Start;
const composition: CompositionConfig = {
  dataDir: start.dataDir,
  ...(start.database ? { database: start.database } : {}),
  issuers: [{ alg: start.issuer.alg, kid: Buffer.from(start.issuer.kid, 'hex'), publicKey: Buffer.from(start.issuer.publicKey, 'hex') }],
  // A bench terminal sends as fast as the loopback allows, far beyond any real one: without these the run would
  // measure rate-limited declines, not the full authorization path.
  enrollment: 'open',
  limits: { perTerminalPerMinute: Number.MAX_SAFE_INTEGER, perCredentialLive: Number.MAX_SAFE_INTEGER },
};

/** Now on the monotonic clock the V8 profiler stamps its samples with, microseconds. */
function micros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function sum(a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): NodeJS.CpuUsage {
  return { user: a.user + b.user, system: a.system + b.system };
}

if (start.workers <= 1 || cluster.isWorker) {
  const authorizer = await startAuthorizer({ ...composition, host: '127.0.0.1', port: 0 });
  let cpuAtStart = process.cpuUsage();
  // Round trips the PostgreSQL store's units of work waited for (none on SQLite), counted from the mark.
  const roundTrips = () => ('roundTrips' in authorizer.store ? (authorizer.store.roundTrips as { count: number }).count : 0);
  let roundTripsAtStart = 0;
  process.send!({ url: authorizer.url, decisionKey: { alg: authorizer.decisionKey.alg, publicKey: Buffer.from(authorizer.decisionKey.publicKey).toString('hex') } });
  process.on('message', (message: Control) => {
    if (message.mark) {
      // The timed phase starts now: CPU time is counted from here.
      cpuAtStart = process.cpuUsage();
      roundTripsAtStart = roundTrips();
      process.send!({ marked: true, at: micros() });
      return;
    }
    if (!message.stop) return;
    const cpu = process.cpuUsage(cpuAtStart);
    const at = micros();
    // Units of work PostgreSQL aborted for a concurrent one and the store ran again.
    const reruns = 'retries' in authorizer.store ? (authorizer.store.retries as number) : 0;
    const trips = roundTrips() - roundTripsAtStart;
    void authorizer.close().then(() => {
      process.send!({ cpu, at, reruns, roundTrips: trips }, () => process.exit(0));
    });
  });
} else {
  await (await composeAuthorizer(composition)).close();
  const workers: Worker[] = Array.from({ length: start.workers }, () => cluster.fork());
  const all = <T>(expect: (m: Record<string, unknown>) => boolean, send?: Control) =>
    Promise.all(workers.map((worker) => new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (!expect(m)) return;
        worker.off('message', on);
        resolve(m as T);
      };
      worker.on('message', on);
      if (send) worker.send(send);
    })));
  const ready = await all<{ url: string; decisionKey: unknown }>((m) => 'url' in m);
  let cpuAtStart = process.cpuUsage();
  process.send!({ url: ready[0].url, decisionKey: ready[0].decisionKey });
  process.on('message', (message: Control) => {
    if (message.mark) {
      cpuAtStart = process.cpuUsage();
      const at = micros();
      void all((m) => 'marked' in m, { mark: true }).then(() => process.send!({ marked: true, at }));
      return;
    }
    if (!message.stop) return;
    const own = process.cpuUsage(cpuAtStart);
    const at = micros();
    void all<{ cpu: NodeJS.CpuUsage; reruns: number; roundTrips: number }>((m) => 'cpu' in m, { stop: true }).then(async (reports) => {
      await Promise.all(workers.map((w) => (w.isDead() ? undefined : new Promise((resolve) => w.once('exit', resolve)))));
      const reruns = reports.reduce((total, r) => total + r.reruns, 0);
      const roundTrips = reports.reduce((total, r) => total + r.roundTrips, 0);
      process.send!({ cpu: reports.reduce((total, r) => sum(total, r.cpu), own), at, reruns, roundTrips }, () => process.exit(0));
    });
  });
}
