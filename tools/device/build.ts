/**
 * `npm run build:device [-- <board>]`: bundles what a Moddable build compiles.
 *
 * - build/device/qrpay-core.js: the firmware core (`src/index.ts`) as one ES
 *   module, with the XS lane's esbuild settings (neutral platform, class fields
 *   lowered). The root manifest preloads it, so module initialisation (jsQR's
 *   tables among it) runs at build time and lands in flash.
 * - build/device/<board>/main.js: the board's `main.ts` and its HAL wiring.
 *   Imports of the core and of the HAL contracts become imports of
 *   `qrpay-core` (one copy of every class, so `instanceof HalError` holds);
 *   Moddable's own modules (`embedded:*`, `timer`, `preference`, ...) and the
 *   board's host-function modules stay external for mcconfig to resolve.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { xsBuildOptions } from '../../test/xs/bundle';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const deviceOut = join(root, 'build', 'device');

/** Modules the Moddable SDK provides on the device. */
const moddableModules = [/^embedded:/, /^commodetto\//, /^mc\//, /^(time|timer|preference|wifi|net|sntp|instrumentation)$/];
/** Board modules with XS host functions (`@ "..."`), compiled by xsc from the board's manifest. */
const hostModules = [/^qrpay-entropy$/];

function coreAsExternal(): Plugin {
  const inside = [join(root, 'src') + sep, join(root, 'hal') + sep];
  return {
    name: 'qrpay-core-external',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (moddableModules.some((re) => re.test(args.path)) || hostModules.some((re) => re.test(args.path))) {
          return { path: args.path, external: true };
        }
        if (args.path.startsWith('.')) {
          const target = resolve(args.resolveDir, args.path);
          if (inside.some((dir) => target.startsWith(dir))) return { path: 'qrpay-core', external: true };
        }
        return undefined;
      });
    },
  };
}

export function boards(): string[] {
  return readdirSync(join(root, 'boards')).filter((name) => existsSync(join(root, 'boards', name, 'main.ts')));
}

export async function buildDevice(board: string): Promise<{ core: string; main: string }> {
  const core = join(deviceOut, 'qrpay-core.js');
  const main = join(deviceOut, board, 'main.js');
  mkdirSync(dirname(main), { recursive: true });
  const common = { ...xsBuildOptions, format: 'esm' as const, write: true, logLevel: 'warning' as const };
  await build({ ...common, entryPoints: [join(root, 'src', 'index.ts')], outfile: core });
  await build({ ...common, entryPoints: [join(root, 'boards', board, 'main.ts')], outfile: main, plugins: [coreAsExternal()] });
  return { core, main };
}

async function cli(): Promise<void> {
  const wanted = process.argv[2];
  const all = boards();
  if (wanted && !all.includes(wanted)) {
    console.error(`build:device: no board "${wanted}" (boards with a main.ts: ${all.join(', ')})`);
    process.exit(2);
  }
  for (const board of wanted ? [wanted] : all) {
    const { core, main } = await buildDevice(board);
    console.log(`${board}: ${core} + ${main}`);
    console.log(`  then: mcconfig -d -m -p esp32/${board} ./manifest.json BOARD=${board}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();
