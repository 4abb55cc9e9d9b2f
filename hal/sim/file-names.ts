/**
 * Storage keys as file names. Keys are printable ASCII, which includes `/`,
 * `\`, `:`, `*`, `.` and upper case (which collides with lower case on macOS
 * and Windows). Lower-case letters, digits, `_` and `-` stay as they are;
 * every other character becomes `%XX`. An encoded name never contains a dot,
 * so names with a dot (temporary files) can never be mistaken for keys.
 */
import { isValidKey } from '../storage';

const plain = /^[a-z0-9_-]$/;

export function encodeKey(key: string): string {
  let out = '';
  for (const ch of key) {
    out += plain.test(ch) ? ch : `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The key a file name encodes, or undefined for a file that is not one of ours (or not a valid key). */
export function decodeKey(fileName: string): string | undefined {
  let out = '';
  for (let i = 0; i < fileName.length; i++) {
    const ch = fileName[i];
    if (plain.test(ch)) {
      out += ch;
    } else if (ch === '%' && /^[0-9A-F]{2}$/.test(fileName.slice(i + 1, i + 3))) {
      const decoded = String.fromCharCode(parseInt(fileName.slice(i + 1, i + 3), 16));
      if (plain.test(decoded)) return undefined; // not canonical: we would have written it plain
      out += decoded;
      i += 2;
    } else {
      return undefined;
    }
  }
  return isValidKey(out) ? out : undefined;
}
