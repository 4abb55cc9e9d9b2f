/**
 * Strict UTF-8 to string, the way `decodeURIComponent` reads percent-encoded
 * bytes (what jsQR does with byte segments): overlong forms, surrogates,
 * code points above U+10FFFF and truncated sequences are invalid. Written out
 * because XS has no TextDecoder.
 */

/** The text, or undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: ArrayLike<number>): string | undefined {
  let text = '';
  const units: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i];
    let length: number;
    let code: number;
    let min: number;
    if (lead < 0x80) {
      units.push(lead);
      i++;
      if (units.length >= 1024) text += flush(units);
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      code = lead & 0x1f;
      min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      code = lead & 0x0f;
      min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      code = lead & 0x07;
      min = 0x10000;
    } else {
      return undefined;
    }
    if (i + length > bytes.length) return undefined;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) return undefined;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    if (code >= 0x10000) {
      units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    } else {
      units.push(code);
    }
    i += length;
    if (units.length >= 1024) text += flush(units);
  }
  return text + flush(units);
}

function flush(units: number[]): string {
  const s = String.fromCharCode.apply(null, units);
  units.length = 0;
  return s;
}
