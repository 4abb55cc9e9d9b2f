// qrcode's Reed-Solomon encoder: an independent implementation to test our decoder against.
declare module 'qrcode/lib/core/reed-solomon-encoder.js' {
  export default class ReedSolomonEncoder {
    constructor(degree: number);
    /** The `degree` error-correction codewords for `data`. */
    encode(data: Uint8Array): Uint8Array;
  }
}
