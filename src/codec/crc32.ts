/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): a check that tells a
 * record damaged on flash from a good one. Bitwise, without a table: no
 * module-level state, and a few hundred bytes per record cost little.
 */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i];
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
