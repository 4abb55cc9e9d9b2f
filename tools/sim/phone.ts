/**
 * The customer's phone in the browser simulator: a wallet (tools/wallet) with
 * its device key and a credential from the simulator's issuer, showing a live
 * payment code that it renews before it expires, the screenshots taken of it,
 * and the wallet app's side of the authorizer: push notifications arrive on a
 * webhook here, a step-up challenge waits for the customer's confirm or
 * refusal, which the phone signs with its device key.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import QRCode from 'qrcode';
import { nodeEntropy } from '../../hal/sim/entropy';
import type { RgbImage } from '../../hal/portable/rgb-to-frame';
import { hex } from '../../src/paycode/hex';
import { defaultEcLevel } from '../wallet/render';
import { accountOf, send, stepUpAnswer } from '../wallet/authorizer-client';
import {
  createDeviceKey, issueCredential, makePaymentCode, type IssuedCredential, type IssuerKey, type KeyPair, type PaymentCode,
} from '../wallet/wallet';
import type { EventBus } from './bus';

/** How long a live code is valid, and when the wallet renews it. */
const codeLifetimeSeconds = 30;
const renewBeforeSeconds = 8;

export interface Screenshot {
  id: number;
  text: string;
  takenAt: number;
  expiresAt: number;
  codeId: string;
}

/** The code as a phone screen shows it: QR level L, 3 px per module, a 4-module quiet zone, black on white. */
export function renderScreen(text: string, scale = 3): RgbImage {
  const modules = QRCode.create(text, { errorCorrectionLevel: defaultEcLevel }).modules;
  const side = (modules.size + 8) * scale;
  const rgb = new Uint8Array(side * side * 3).fill(255);
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (!modules.data[row * modules.size + column]) continue;
      for (let dy = 0; dy < scale; dy++) {
        const start = (((row + 4) * scale + dy) * side + (column + 4) * scale) * 3;
        rgb.fill(0, start, start + scale * 3);
      }
    }
  }
  return { width: side, height: side, rgb };
}

/** One grey value per pixel of a rendered screen, base64 (what the page draws). */
export function screenLuma(image: RgbImage): string {
  const luma = new Uint8Array(image.width * image.height);
  for (let i = 0; i < luma.length; i++) luma[i] = image.rgb[i * 3];
  return Buffer.from(luma).toString('base64');
}

export class Phone {
  readonly device: KeyPair;
  credential: IssuedCredential;
  readonly screenshots: Screenshot[] = [];
  #issuer: IssuerKey;
  #code: PaymentCode | undefined;
  #pending: { challenge: string; data: Record<string, unknown> } | undefined;
  readonly #bus: EventBus;
  #authorizerUrl = '';
  #server: Server | undefined;
  #renewal: NodeJS.Timeout | undefined;
  #screenshotIds = 0;
  /** Where the wallet issuer's push service delivers (the authorizer's wallet webhook). */
  pushUrl = '';

  constructor(issuer: IssuerKey, bus: EventBus) {
    this.#issuer = issuer;
    this.#bus = bus;
    this.device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
    this.credential = this.#issue();
  }

  get account(): string {
    return accountOf(this.credential);
  }

  /** Starts the push webhook (before the authorizer, which is told where it is). */
  async listen(): Promise<string> {
    this.#server = await receiver((message) => this.#pushed(message), this.#bus, 'wallet-push');
    this.pushUrl = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/push`;
    return this.pushUrl;
  }

  connect(authorizerUrl: string): void {
    this.#authorizerUrl = authorizerUrl;
    this.renew();
  }

  /** The code on screen now, renewed `renewBeforeSeconds` before it expires. */
  get code(): PaymentCode {
    if (!this.#code) this.renew();
    return this.#code!;
  }

  renew(): void {
    this.#code = makePaymentCode(this.credential, this.device, { clock: { now: () => Date.now() }, entropy: nodeEntropy, lifetimeSeconds: codeLifetimeSeconds });
    this.#publish();
    if (this.#renewal) clearTimeout(this.#renewal);
    this.#renewal = setTimeout(() => this.renew(), (codeLifetimeSeconds - renewBeforeSeconds) * 1000);
    this.#renewal.unref();
  }

  /** Keeps a copy of the screen as it is now (to show later, or at another terminal). */
  screenshot(): Screenshot {
    const code = this.code;
    const shot = { id: ++this.#screenshotIds, text: code.text, takenAt: Date.now(), expiresAt: code.expiresAt * 1000, codeId: hex(code.codeId) };
    this.screenshots.push(shot);
    this.#publish();
    return shot;
  }

  /** A new credential for the same device key (after a report suspended the old one), as the issuer would send. */
  reissue(): void {
    this.credential = this.#issue();
    this.#bus.emit('phone', { text: `new credential issued: account ${this.account}` });
    this.renew();
  }

  /** The customer answers the step-up challenge on screen. */
  async answer(confirm: boolean): Promise<{ status: number; body: Record<string, unknown> }> {
    const pending = this.#pending;
    if (!pending) throw new RangeError('no step-up waits for an answer on the phone');
    this.#pending = undefined;
    this.#bus.state('step-up-pending', 'phone', null);
    const answer = await send(this.#authorizerUrl, stepUpAnswer(this.device, this.credential, pending.challenge, confirm, Date.now()));
    this.#bus.emit('phone', { text: `step-up ${confirm ? 'confirmed' : 'refused'} with the device key: authorizer answered ${answer.status}`, body: answer.body });
    return answer;
  }

  async stop(): Promise<void> {
    if (this.#renewal) clearTimeout(this.#renewal);
    await closeServer(this.#server);
  }

  #issue(): IssuedCredential {
    const now = Math.floor(Date.now() / 1000);
    return issueCredential(this.#issuer, {
      device: { alg: 'ES256', publicKey: this.device.publicKey }, notBefore: now - 60, expiresAt: now + 30 * 86400,
      limits: { perPaymentCap: 20_000, offlineAllowed: true },
    }, nodeEntropy);
  }

  #pushed(message: Record<string, unknown>): void {
    if (message.kind === 'step-up') {
      const data = message.data as Record<string, unknown>;
      this.#pending = { challenge: String(data.challenge), data };
      this.#bus.state('step-up-pending', 'phone', data);
    }
  }

  #publish(): void {
    const code = this.#code!;
    const screen = renderScreen(code.text);
    this.#bus.state('phone', 'phone', {
      account: this.account, codeId: hex(code.codeId), expiresAt: code.expiresAt * 1000, text: code.text,
      screen: { width: screen.width, height: screen.height, luma: screenLuma(screen) },
      screenshots: this.screenshots.map((s) => ({ id: s.id, takenAt: s.takenAt, expiresAt: s.expiresAt, codeId: s.codeId })),
    });
  }
}

/**
 * A notification channel's receiving end (the wallet's push service, the SMS / e-mail gateway): each message
 * the authorizer's dispatcher delivers is shown on the page as it arrives.
 */
export async function receiver(onMessage: (message: Record<string, unknown>) => void, bus: EventBus, channel: string): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        response.writeHead(400).end();
        return;
      }
      response.writeHead(204).end();
      bus.emit('notification', { channel, kind: message.kind, account: message.account, eventId: message.eventId, data: message.data, signature: request.headers['x-qrpay-signature'] ?? null });
      onMessage(message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server || !server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
