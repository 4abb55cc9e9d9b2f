import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

/** Loads fixtures the way the XS lane's esbuild loaders do: text as a string, binary as a Uint8Array. */
function fixtureLoader(): Plugin {
  const text = /\.(nmea|txt)$/;
  const binary = /\.(png|bin|cbor)$/;
  return {
    name: 'qrpay-fixtures',
    enforce: 'pre',
    load(id) {
      const path = id.split('?')[0];
      if (text.test(path)) return `export default ${JSON.stringify(readFileSync(path, 'utf8'))};`;
      if (binary.test(path)) {
        const base64 = readFileSync(path).toString('base64');
        return `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));`;
      }
      return undefined;
    },
  };
}

export default defineConfig({
  plugins: [fixtureLoader()],
  assetsInclude: [],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
