// qrcode's encoder core, without its Node renderers (which pull in fs and streams).
declare module 'qrcode/lib/core/qrcode.js' {
  import type { QRCode, QRCodeOptions } from 'qrcode';
  export function create(text: string | import('qrcode').QRCodeSegment[], options?: QRCodeOptions): QRCode;
}
