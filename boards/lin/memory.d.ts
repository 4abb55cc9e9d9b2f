// The host-function module boards/lin/memory.js (+ memory.c), mapped to this
// name by the lin board manifest; compiled by xsc, not bundled.
declare module 'qrpay-memory' {
  /** The XS machine's use, now and its peak: chunks in bytes, slots and stack in slots (`peakStack` in an instrumented build only). */
  export function memory(): { chunks: number; peakChunks: number; slots: number; peakSlots: number; peakStack?: number };
}
