// Moddable's ECMA-419 (3rd edition draft) Image Input camera and the Bitmap formats
// it delivers. @moddable/typings does not declare them yet; this is the shape of
// $(MODDABLE)/modules/io/imagein/camera (see its readme).
declare module 'embedded:io/image/in/camera' {
  export default class Camera {
    constructor(options: {
      width?: number;
      height?: number;
      imageType: number | 'jpeg';
      format?: 'buffer' | 'buffer/disposable';
      onReadable?: (this: Camera, count: number) => void;
      onError?: (this: Camera, error: Error) => void;
    });
    readonly width: number;
    readonly height: number;
    readonly imageType: number | 'jpeg';
    start(): void;
    stop(): void;
    /** A frame buffer; with format 'buffer/disposable' it must be closed after use. */
    read(): (ArrayBuffer & { close?: () => void }) | undefined;
    close(): void;
  }
}

declare module 'commodetto/Bitmap' {
  const Bitmap: {
    readonly Gray256: number;
    readonly RGB565LE: number;
    readonly YUV422: number;
  };
  export default Bitmap;
}
