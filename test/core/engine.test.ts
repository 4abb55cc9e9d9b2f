/**
 * Proves the XS lane does real work on the engine: the libraries the core is
 * built on (noble signatures and hashes, jsQR) give the published answers.
 */
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import jsQR from 'jsqr';
import { renderQrLuma } from '../support/qr-frame';

describe('the libraries the core relies on', () => {
  it('SHA-256 of "abc" is the FIPS 180-2 value', () => {
    expect(bytesToHex(sha256(utf8ToBytes('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('verifies the RFC 6979 A.2.5 P-256 signature and rejects a changed message', () => {
    const publicKey = hexToBytes(
      '04' +
        '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6' +
        '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
    );
    const signature = hexToBytes(
      'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' +
        'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
    );
    expect(p256.verify(signature, utf8ToBytes('sample'), publicKey, { lowS: false })).toBe(true);
    expect(p256.verify(signature, utf8ToBytes('samplf'), publicKey, { lowS: false })).toBe(false);
  });

  it('verifies the RFC 8032 test 1 Ed25519 signature and rejects a flipped bit', () => {
    const publicKey = hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const signature = hexToBytes(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(ed25519.verify(signature, new Uint8Array(0), publicKey)).toBe(true);
    signature[5] ^= 1;
    expect(ed25519.verify(signature, new Uint8Array(0), publicKey)).toBe(false);
  });

  it('decodes a QR code rendered into a 320x240 frame with jsQR', () => {
    const text = 'QRPAY:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEXWK G2EP4J0B';
    const frame = renderQrLuma(text, { width: 320, height: 240, scale: 3 });
    const rgba = new Uint8ClampedArray(frame.width * frame.height * 4);
    for (let i = 0; i < frame.data.length; i++) {
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = frame.data[i];
      rgba[4 * i + 3] = 255;
    }
    const code = jsQR(rgba, frame.width, frame.height, { inversionAttempts: 'dontInvert' });
    expect(code?.data).toBe(text);
  });
});
