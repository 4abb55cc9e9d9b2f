/**
 * `npm run build:device [-- <board>]`: writes what a Moddable build of a board
 * compiles, build/device/<board>/: the board's main (`main.js`) and every
 * module of the core, @noble and the board code it reaches, one module per
 * file (tools/device/modules.ts). The root manifest takes that folder
 * (`BOARD=<board> mcconfig ...`) and preloads its `qrpay-rom-*` modules.
 *
 * `--authorizer-ca FILE` (PEM) puts the CA certificate the board trusts for
 * its authorizer's TLS into that folder as `authorizer-ca.der`, which the
 * board's manifest takes as a resource (boards/esp32/tls.ts); without it the
 * board's https connections fail, and it says so at boot.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildModules, repoRoot, type ModuleLayout } from './modules';

export const deviceOut = join(repoRoot, 'build', 'device');

export function boards(): string[] {
  return readdirSync(join(repoRoot, 'boards')).filter((name) => existsSync(join(repoRoot, 'boards', name, 'main.ts')));
}

/** The name boards/esp32/tls.ts reads the CA certificate from (the manifest's resource). */
export const authorityFile = 'authorizer-ca.der';

/** A PEM file's CA certificate as DER; refuses a certificate that is not a CA's (Moddable's TLS needs a chain to one). */
export function authorityDer(pemPath: string): Buffer {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(readFileSync(pemPath));
  } catch (error) {
    throw new Error(`--authorizer-ca ${pemPath}: not a PEM certificate (${(error as Error).message})`);
  }
  if (!certificate.ca) {
    throw new Error(`--authorizer-ca ${pemPath}: not a CA certificate (basicConstraints CA:TRUE); a board cannot trust a lone self-signed server certificate (docs/moddable.md)`);
  }
  return certificate.raw;
}

export async function buildDevice(board: string, options: { authorizerCa?: string } = {}): Promise<ModuleLayout & { out: string }> {
  const main = `boards/${board}/main.ts`;
  const out = join(deviceOut, board);
  const authority = options.authorizerCa === undefined ? undefined : authorityDer(options.authorizerCa);
  const layout = await buildModules([main], out, { main });
  if (authority) writeFileSync(join(out, authorityFile), authority);
  return { ...layout, out };
}

async function cli(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { 'authorizer-ca': { type: 'string' } }, allowPositionals: true });
  const wanted = positionals[0];
  const all = boards();
  if (wanted && !all.includes(wanted)) {
    console.error(`build:device: no board "${wanted}" (boards with a main.ts: ${all.join(', ')})`);
    process.exit(2);
  }
  for (const board of wanted ? [wanted] : all) {
    const { out, names } = await buildDevice(board, { authorizerCa: values['authorizer-ca'] });
    console.log(`${board}: ${names.size} modules in ${out}${values['authorizer-ca'] ? `, trusting the CA in ${values['authorizer-ca']}` : ' (no --authorizer-ca: https will fail on the board)'}`);
    console.log(board === 'lin' ? `  then: BOARD=lin mcconfig -p lin -o OUT ./manifest.json` : `  then: BOARD=${board} mcconfig -d -m -p esp32/${board} ./manifest.json ssid=<wifi> password=<secret>`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();
