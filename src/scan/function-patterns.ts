/**
 * The modules of a QR symbol that carry no data: the three finder patterns
 * with their separators, the two timing patterns and the alignment patterns
 * (ISO/IEC 18004 section 6.3). Their values depend only on the version, so
 * once the grid is sampled they can be painted in exactly. That never changes
 * the payload, and it lets jsQR find the code in a one-pixel-per-module image
 * even when blur or glare flipped a few of those modules.
 */

/** Row/column centres of the alignment patterns for a symbol of `dimension` modules. */
export function alignmentCentres(dimension: number): number[] {
  const version = (dimension - 17) / 4;
  if (version < 2) return [];
  const count = Math.floor(version / 7) + 2;
  const step = dimension === 145 ? 26 : Math.ceil((dimension - 13) / (2 * count - 2)) * 2;
  const centres = [dimension - 7];
  for (let i = 1; i < count - 1; i++) centres.push(centres[i - 1] - step);
  centres.push(6);
  return centres.reverse();
}

/**
 * Calls `paint(row, col, dark)` for every function-pattern module. Format and
 * version information are data (protected by their own BCH codes) and are
 * left alone.
 */
export function forEachFunctionModule(dimension: number, paint: (row: number, col: number, dark: boolean) => void): void {
  const last = dimension - 1;
  const finder = (top: number, left: number) => {
    // Finder (7x7) plus its one-module light separator, clipped to the symbol.
    for (let r = -1; r <= 7; r++) {
      for (let c = -1; c <= 7; c++) {
        const row = top + r;
        const col = left + c;
        if (row < 0 || col < 0 || row > last || col > last) continue;
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        paint(row, col, ring !== 2 && ring !== 4);
      }
    }
  };
  finder(0, 0);
  finder(0, dimension - 7);
  finder(dimension - 7, 0);
  for (let i = 8; i < dimension - 8; i++) {
    paint(6, i, i % 2 === 0);
    paint(i, 6, i % 2 === 0);
  }
  const centres = alignmentCentres(dimension);
  for (const row of centres) {
    for (const col of centres) {
      // Skip the three corners the finders occupy.
      if ((row === 6 && col === 6) || (row === 6 && col === last - 6) || (row === last - 6 && col === 6)) continue;
      for (let r = -2; r <= 2; r++) {
        for (let c = -2; c <= 2; c++) paint(row + r, col + c, Math.max(Math.abs(r), Math.abs(c)) !== 1);
      }
    }
  }
}
