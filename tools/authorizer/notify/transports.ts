/**
 * How a notification leaves the authorizer. A transport resolves when the
 * receiver took the message and throws otherwise (the dispatcher retries).
 *   webhook  POST application/json to a URL; any 2xx is taken as delivered.
 *            With a signer, the header `x-qrpay-signature` carries the
 *            authorizer's signature over the exact body bytes (ES256: raw
 *            r||s, base64url), so a receiver can tell a real notification
 *            from a forged one with the key terminals already trust
 *   spool    one JSON file per message in a directory, written atomically
 *            (temp file + rename), the classic drop folder of mail/SMS gateways
 */
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Signer } from '../../../src/authorization/signer';
import type { Notification } from '../domain/outbox';

export type Transport = (notification: Notification) => Promise<void>;

export const signatureHeader = 'x-qrpay-signature';

export function webhookTransport(url: string, options: { timeoutMs?: number; signer?: Signer } = {}): Transport {
  const timeoutMs = options.timeoutMs ?? 5000;
  return async (notification) => {
    const body = new TextEncoder().encode(JSON.stringify(notification));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': notification.messageId };
    if (options.signer) headers[signatureHeader] = `${options.signer.alg} ${Buffer.from(options.signer.sign(body)).toString('base64url')}`;
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new Error(`${url} answered ${response.status}`);
  };
}

export function spoolTransport(dir: string): Transport {
  mkdirSync(dir, { recursive: true });
  return async (notification) => {
    const file = join(dir, `${notification.messageId}.json`);
    const temp = `${file}.tmp`;
    await writeFile(temp, `${JSON.stringify(notification, null, 2)}\n`);
    await rename(temp, file);
  };
}
