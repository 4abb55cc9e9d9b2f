/**
 * How a notification leaves the authorizer. A transport resolves when the
 * receiver took the message and throws otherwise (the dispatcher retries).
 *   webhook  POST application/json to a URL; any 2xx is taken as delivered
 *   spool    one JSON file per message in a directory, written atomically
 *            (temp file + rename), the classic drop folder of mail/SMS gateways
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Notification } from './outbox';

export type Transport = (notification: Notification) => Promise<void>;

export function webhookTransport(url: string, timeoutMs = 5000): Transport {
  return async (notification) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': notification.messageId },
      body: JSON.stringify(notification),
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
    writeFileSync(temp, `${JSON.stringify(notification, null, 2)}\n`);
    renameSync(temp, file);
  };
}
