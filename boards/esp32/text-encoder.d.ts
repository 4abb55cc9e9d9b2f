// Moddable's native TextEncoder module ($(MODULES)/data/text/encoder).
declare module 'text/encoder' {
  const TextEncoder: { new (): { encode(text: string): Uint8Array } };
  export default TextEncoder;
}
