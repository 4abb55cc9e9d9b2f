/**
 * Runs one scenario of the catalog with the demo's narration (each stage with
 * the time since the start) and its conclusion, and turns its outcome into an
 * exit code: 0 when the system behaved as it must, 1 when it did not.
 */
import { exitCodes } from '../cli/exit';
import { scenarios } from './catalog';

export interface RunOptions {
  dataDir?: string;
  /** Where lines go (default stdout). */
  write?: (line: string) => void;
}

export async function runScenario(name: string, options: RunOptions = {}): Promise<number> {
  const scenario = scenarios[name];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = performance.now();
  const say = (stage: string, text: string) => write(`${`+${((performance.now() - started) / 1000).toFixed(3)} s`.padStart(10)}  ${stage.padEnd(10)} ${text}`);
  write(`qrpay scenario ${name}: ${scenario.summary}`);
  const outcome = await scenario.run({ say, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  write('');
  write(`${outcome.ok ? 'As it must:' : 'NOT as it must:'} ${outcome.conclusion}`);
  return outcome.ok ? exitCodes.ok : exitCodes.failed;
}
