// The module boards/esp32/native-crypto.js (over the Moddable SDK's modules/crypt),
// mapped to this name by the board manifests; compiled by xsc, not bundled.
declare module 'qrpay-native-crypto' {
  import type { CryptoAccelerator } from '../../hal/crypto';
  /** SHA-256 and the ES256 equation in native code; both parts are always present. */
  export function createModdableCrypto(): Required<CryptoAccelerator>;
}
