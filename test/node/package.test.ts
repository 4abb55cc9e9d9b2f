/**
 * The package as a stranger gets it: `npm pack` (which runs `prepare`, the
 * build), the tarball installed into a scratch project, every export imported
 * by Node, a small consumer type-checked under `moduleResolution` NodeNext and
 * Bundler, and the installed `qrpay` command run. Installing the tarball asks
 * the registry only for the few runtime dependencies (`--prefer-offline`: the
 * npm cache answers when it can). The desktop-only packages are optional peers
 * a firmware embedder never installs: the install must not have them, the
 * imports must work without them, and each command that needs one must name it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'qrpay-package-'));
const app = join(scratch, 'app');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const exportsUnderTest = ['qrpay-terminal', 'qrpay-terminal/paycode', 'qrpay-terminal/simulator', 'qrpay-terminal/wallet'];
const optionalPeers = ['better-sqlite3', 'pg', 'pngjs', 'qrcode'];
/** The checkout's copy of a peer stands in for `npm install X` (better-sqlite3 would compile for a minute); its own dependencies resolve from the checkout too. */
function linkPeer(name: string): void {
  const link = join(app, 'node_modules', name);
  if (!existsSync(link)) symlinkSync(join(repo, 'node_modules', name), link, 'dir');
}
let tarball: string;
let packed: string[];

beforeAll(() => {
  execFileSync(npm, ['pack', '--pack-destination', scratch], { cwd: repo, stdio: 'pipe' });
  const name = readdirSync(scratch).find((file) => file.endsWith('.tgz'));
  if (!name) throw new Error('npm pack wrote no tarball');
  tarball = join(scratch, name);
  packed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'pipe' });
}, 180_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the npm package', () => {
  it('ships the compiled code, its types and the command, and nothing else', () => {
    expect(packed).toContain('package/dist/src/index.js');
    expect(packed).toContain('package/dist/src/index.d.ts');
    expect(packed).toContain('package/bin/qrpay.js');
    for (const file of ['index.html', 'app.js', 'style.css']) expect(packed).toContain(`package/dist/tools/sim/public/${file}`);
    const stray = packed.filter((path) => !path.startsWith('package/dist/') && !['package/bin/qrpay.js', 'package/package.json', 'package/README.md'].includes(path));
    expect(stray).toEqual([]);
    // No TypeScript sources, no keys or databases a walkthrough wrote into the checkout.
    expect(packed.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
    expect(packed.filter((path) => /var\/|\.sqlite$|issuer\.json$|operator\.json$|credential\.json$/.test(path))).toEqual([]);
  });

  it('installs without building anything native and without the desktop-only packages: they are optional peers', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'qrpay-terminal', 'package.json'), 'utf8'));
    expect(manifest.scripts?.postinstall).toBeUndefined();
    expect(manifest.scripts?.install).toBeUndefined();
    for (const name of optionalPeers) {
      expect(manifest.dependencies[name], name).toBeUndefined();
      expect(manifest.peerDependenciesMeta[name]?.optional, name).toBe(true);
      expect(existsSync(join(app, 'node_modules', name)), name).toBe(false);
    }
  });

  it('imports every export in Node', () => {
    const script = `for (const s of ${JSON.stringify(exportsUnderTest)}) { const m = await import(s); console.log(s, Object.keys(m).sort().join(',')); }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
    expect(out).toMatch(/^qrpay-terminal .*\bcameraCodeSource\b.*\bcreateTerminal\b/m);
    expect(out).toMatch(/^qrpay-terminal\/paycode .*\bPaymentCodeVerifier\b/m);
    expect(out).toMatch(/^qrpay-terminal\/simulator .*\bcreateSimulatorHal\b/m);
    expect(out).toMatch(/^qrpay-terminal\/wallet .*\bmakePaymentCode\b/m);
  });

  it('runs the simulator camera on a scene without pngjs, and names pngjs only when a PNG file is decoded', () => {
    writeFileSync(join(app, 'code.png'), 'not decoded: pngjs is missing before the bytes are looked at');
    const script = [
      "import { mkdtempSync } from 'node:fs';",
      "import { tmpdir } from 'node:os';",
      "import { join } from 'node:path';",
      "import { createSimulatorHal, grayImage, stillScene } from 'qrpay-terminal/simulator';",
      'const width = 64, height = 48;',
      'const luma = new Uint8Array(width * height).map((_, i) => (i * 7) % 256);',
      "const dataDirectory = mkdtempSync(join(tmpdir(), 'qrpay-sim-'));",
      'const hal = createSimulatorHal({ dataDirectory, quiet: true, camera: { scene: stillScene(grayImage(width, height, luma)) } });',
      'const frame = await new Promise((done, fail) => {',
      "  const timer = setTimeout(() => fail(new Error('the scene camera delivered no frame')), 10000);",
      "  const camera = hal.camera({ imageType: 'gray8', width, height, onReadable() { clearTimeout(timer); const f = camera.read(); camera.close(); done(f); } });",
      '  camera.start();',
      '});',
      'hal.shutdown();',
      "console.log('frame', frame.width, frame.height, frame.data.every((v, i) => v === luma[i]));",
      'try {',
      "  createSimulatorHal({ dataDirectory, quiet: true, camera: { pngFiles: ['code.png'] } });",
      "  console.log('png files: no error');",
      '} catch (error) {',
      "  console.log('png files:', error.code, error.message.split('\\n')[0]);",
      '}',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
    expect(out).toBe("frame 64 48 true\npng files: MODULE_NOT_FOUND Cannot find module 'pngjs'\n");
  });

  it.each(['NodeNext', 'Bundler'])('type-checks a consumer under moduleResolution %s', (resolution) => {
    writeFileSync(join(app, 'consumer.ts'), [
      "import { createTerminal, isTerminalError, type Decision, type Identity, type PublicKey, type TerminalConfig } from 'qrpay-terminal';",
      "import { PaymentCodeVerifier, type VerifyResult } from 'qrpay-terminal/paycode';",
      "import { createSimulatorHal, type SimulatorHal } from 'qrpay-terminal/simulator';",
      "import { createIssuer, makePaymentCode } from 'qrpay-terminal/wallet';",
      'export type Parts = [Decision, Identity, PublicKey, TerminalConfig, VerifyResult, SimulatorHal];',
      'export const used = [createTerminal, isTerminalError, PaymentCodeVerifier, createSimulatorHal, createIssuer, makePaymentCode];',
      "// @ts-expect-error the types are real: an outcome that does not exist is an error",
      "export const wrong: Decision['outcome'] = 'aproved';",
      '',
    ].join('\n'));
    const config = join(app, `tsconfig.${resolution}.json`);
    writeFileSync(config, JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: resolution === 'NodeNext' ? 'NodeNext' : 'ESNext', moduleResolution: resolution,
        // Checks our .d.ts files too: a dangling import in them would be an error here.
        strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(repo, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    }));
    const tsc = spawnSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: app, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 60_000);

  it('runs the installed qrpay command from dist/, and names the missing optional dependency', () => {
    const qrpay = (...args: string[]) => spawnSync(process.execPath, [join(app, 'node_modules', '.bin', 'qrpay'), ...args], { cwd: app, encoding: 'utf8' });
    const version = qrpay('--version');
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
    expect(version.status).toBe(0);
    // Keys and credentials need none of the optional peers; rendering a code needs qrcode, decoding a PNG pngjs.
    expect(qrpay('wallet', 'issuer', '--out', 'keys/issuer.json').status).toBe(0);
    expect(qrpay('wallet', 'credential', '--issuer', 'keys/issuer.json', '--out', 'keys/credential.json').status).toBe(0);
    const missing = (command: string, name: string) => `qrpay ${command}: this command needs the package ${name}, which is not installed: npm install ${name}`;
    const code = qrpay('wallet', 'code', '--credential', 'keys/credential.json');
    expect(code.stderr.trim()).toBe(missing('wallet', 'qrcode'));
    expect(code.status).toBe(1);
    const scan = qrpay('scan', 'code.png');
    expect(scan.stderr.trim()).toBe(missing('scan', 'pngjs'));
    expect(scan.status).toBe(1);
    const authorizer = qrpay('authorizer', '--port', '0');
    expect(authorizer.stderr.trim()).toBe(missing('authorizer', 'better-sqlite3'));
    expect(authorizer.status).toBe(1);
  });

  it('with better-sqlite3 next to it, the authorizer names pg only for a PostgreSQL database', () => {
    linkPeer('better-sqlite3');
    const authorizer = spawnSync(process.execPath, [join(app, 'node_modules', '.bin', 'qrpay'), 'authorizer', '--port', '0', '--database', 'postgres://qrpay@127.0.0.1:1/qrpay'], { cwd: app, encoding: 'utf8' });
    expect(authorizer.stderr.trim()).toBe('qrpay authorizer: this command needs the package pg, which is not installed: npm install pg');
    expect(authorizer.status).toBe(1);
  });

  it('runs `qrpay sim` from dist/ once its peers are next to it: the page comes from the package', async () => {
    for (const name of ['better-sqlite3', 'qrcode']) linkPeer(name);
    const child = spawn(process.execPath, [join(app, 'node_modules', '.bin', 'qrpay'), 'sim', '--port', '0', '--terminals', '1'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      const url = await new Promise<string>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no address printed:\n${output}`)), 45_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString('utf8');
          const match = /^qrpay sim: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output);
          if (match) {
            clearTimeout(timer);
            done(match[1]);
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
      });
      for (const [path, text] of [['', '<script src="/app.js" defer></script>'], ['app.js', "new EventSource('/events')"], ['style.css', '.relay']]) {
        const response = await fetch(url + path);
        expect(response.status).toBe(200);
        expect(await response.text()).toContain(text);
      }
      const exited = new Promise((done) => child.on('exit', done));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
