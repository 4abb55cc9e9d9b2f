// The host-function module boards/esp32/entropy.js (+ entropy.c), mapped to this
// name by the board manifests; compiled by xsc, not bundled.
declare module 'qrpay-entropy' {
  import type { Entropy } from '../../hal/entropy';
  export function createEsp32Entropy(): Entropy;
}
