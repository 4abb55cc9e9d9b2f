/** Randomness from the hardware RNG (ESP32 `esp_fill_random`), `node:crypto` in the simulator. */
export interface Entropy {
  /** Fills `bytes` with random bytes and returns it. */
  fill(bytes: Uint8Array): Uint8Array;
}
