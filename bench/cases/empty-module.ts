// Loads nothing: engine start-up alone, subtracted from jsqr-module to isolate jsQR's module init.
export function op(): void {}
