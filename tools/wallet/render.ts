/** Rendering payment codes as QR images and terminal text (Node: uses the `qrcode` package's renderers). */
import QRCode from 'qrcode';

export type EcLevel = 'L' | 'M' | 'Q' | 'H';

/** Payment codes are shown on a phone screen: level L (see docs/payment-code.md). */
export const defaultEcLevel: EcLevel = 'L';

export interface QrInfo {
  version: number;
  modules: number;
  ecLevel: EcLevel;
}

export function qrInfo(text: string, ecLevel: EcLevel = defaultEcLevel): QrInfo {
  const qr = QRCode.create(text, { errorCorrectionLevel: ecLevel });
  return { version: qr.version, modules: qr.modules.size, ecLevel };
}

export async function writeQrPng(path: string, text: string, options: { scale?: number; ecLevel?: EcLevel } = {}): Promise<void> {
  await QRCode.toFile(path, text, { type: 'png', errorCorrectionLevel: options.ecLevel ?? defaultEcLevel, margin: 4, scale: options.scale ?? 6 });
}

/** The code as block characters for a terminal (two modules per character row). */
export async function qrTerminalText(text: string, ecLevel: EcLevel = defaultEcLevel): Promise<string> {
  return QRCode.toString(text, { type: 'utf8', errorCorrectionLevel: ecLevel, margin: 2 });
}
