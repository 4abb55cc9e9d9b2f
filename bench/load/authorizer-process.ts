/**
 * The authorizer under load, in its own process (so its CPU time and profile
 * are its own): started by bench/load.ts with `--cpu-prof`, it runs the real
 * authorizer (judgement, SQLite, notifications spooled to the data directory)
 * on loopback and talks to its parent over IPC: it sends {url, decisionKey}
 * once listening, and on {stop} closes, reports its CPU time and exits
 * (which writes the CPU profile).
 */
import { startAuthorizer } from '../../tools/authorizer/authorizer';

interface Start {
  dataDir: string;
  issuer: { alg: 'ES256' | 'EdDSA'; kid: string; publicKey: string };
}

const [config] = process.argv.slice(2);
const start = JSON.parse(config) as Start;
const authorizer = await startAuthorizer({
  dataDir: start.dataDir,
  host: '127.0.0.1',
  port: 0,
  issuers: [{ alg: start.issuer.alg, kid: Buffer.from(start.issuer.kid, 'hex'), publicKey: Buffer.from(start.issuer.publicKey, 'hex') }],
  // A bench terminal sends as fast as the loopback allows, far beyond any real one: without these the run would
  // measure rate-limited declines, not the full authorization path.
  enrollment: 'open',
  limits: { perTerminalPerMinute: Number.MAX_SAFE_INTEGER, perCredentialLive: Number.MAX_SAFE_INTEGER },
});
const cpuAtStart = process.cpuUsage();
process.send!({ url: authorizer.url, decisionKey: { alg: authorizer.decisionKey.alg, publicKey: Buffer.from(authorizer.decisionKey.publicKey).toString('hex') } });
process.on('message', (message: { stop?: boolean; mark?: boolean }) => {
  if (message.mark) {
    // The timed phase starts now: CPU time is counted from here.
    const mark = process.cpuUsage();
    cpuAtStart.user = mark.user;
    cpuAtStart.system = mark.system;
    process.send!({ marked: true, at: micros() });
    return;
  }
  if (!message.stop) return;
  const cpu = process.cpuUsage(cpuAtStart);
  const at = micros();
  void authorizer.close().then(() => {
    process.send!({ cpu, at }, () => process.exit(0));
  });
});

/** Now on the monotonic clock the V8 profiler stamps its samples with, microseconds. */
function micros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
