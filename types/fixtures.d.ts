// Fixture files imported by portable tests: the same import works under vitest
// (see vitest.config.ts) and in the XS lane (esbuild loaders in test/xs/bundle.ts).
declare module '*.nmea' {
  const text: string;
  export default text;
}
declare module '*.txt' {
  const text: string;
  export default text;
}
declare module '*.png' {
  const bytes: Uint8Array;
  export default bytes;
}
declare module '*.bin' {
  const bytes: Uint8Array;
  export default bytes;
}
declare module '*.cbor' {
  const bytes: Uint8Array;
  export default bytes;
}
