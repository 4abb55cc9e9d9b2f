// Loads jsQR and does nothing: with 0 calls, the script's instruction count is engine start-up + jsQR's module init.
import jsQR from 'jsqr';

export function op(): string {
  return typeof jsQR;
}
