/**
 * `npm run build:device [-- <board>]`: writes what a Moddable build of a board
 * compiles, build/device/<board>/: the board's main (`main.js`) and every
 * module of the core, @noble and the board code it reaches, one module per
 * file (tools/device/modules.ts). The root manifest takes that folder
 * (`BOARD=<board> mcconfig ...`) and preloads its `qrpay-rom-*` modules.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModules, repoRoot, type ModuleLayout } from './modules';

export const deviceOut = join(repoRoot, 'build', 'device');

export function boards(): string[] {
  return readdirSync(join(repoRoot, 'boards')).filter((name) => existsSync(join(repoRoot, 'boards', name, 'main.ts')));
}

export async function buildDevice(board: string): Promise<ModuleLayout & { out: string }> {
  const main = `boards/${board}/main.ts`;
  const out = join(deviceOut, board);
  return { ...(await buildModules([main], out, { main })), out };
}

async function cli(): Promise<void> {
  const wanted = process.argv[2];
  const all = boards();
  if (wanted && !all.includes(wanted)) {
    console.error(`build:device: no board "${wanted}" (boards with a main.ts: ${all.join(', ')})`);
    process.exit(2);
  }
  for (const board of wanted ? [wanted] : all) {
    const { out, names } = await buildDevice(board);
    console.log(`${board}: ${names.size} modules in ${out}`);
    console.log(board === 'lin' ? `  then: BOARD=lin mcconfig -p lin -o OUT ./manifest.json` : `  then: BOARD=${board} mcconfig -d -m -p esp32/${board} ./manifest.json ssid=<wifi> password=<secret>`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();
