/**
 * An enrollment voucher: the operator's signed permission for one terminal
 * to enroll for a merchant, at one of its sites, before it expires
 * (`qrpay operator voucher`). Unlike a one-time token it needs no row in the
 * authorizer's database until it is used, so it can be issued offline and
 * burned into a board's configuration; the authorizer records its id when it
 * enrolls a terminal with it, and refuses the id ever after.
 *
 * COSE_Sign1 by the operator key (the key that signs the issuer and deny
 * lists; content type application/qrpay-voucher+cbor). Payload map:
 *   1 voucher id (bytes, 16): random, what the authorizer remembers once used
 *   2 merchant id (text)        3 site id (text; optional: the merchant's own)
 *   4 issued at (uint, ms)      5 expires at (uint, ms; after issued at)
 *
 * A terminal carries it as opaque bytes where it carries a token (the
 * enrollment request's field 4, the board's `provisioningToken` config): a
 * token is 16 to 64 bytes, a voucher longer (docs/authorization.md).
 */
import { ContentType, open, seal, signedBy } from './envelope';
import { FormatError, mapOf, onlyKeys, readBytes, readText, readUint } from './fields';
import type { PublicKey, Signer } from './signer';
import { terminalIdPattern } from './request';

export interface Voucher {
  id: Uint8Array;
  merchantId: string;
  /** The site the terminal is enrolled into; absent: the merchant's own. */
  siteId?: string;
  issuedAt: number;
  expiresAt: number;
}

export const voucherIdBytes = 16;
/** A voucher's length on the wire: longer than any token, short enough for a board's configuration. */
export const voucherLength = { min: 65, max: 512 } as const;

export function signVoucher(voucher: Voucher, signer: Signer): Uint8Array {
  if (voucher.id.length !== voucherIdBytes) throw new FormatError('voucher id', `a voucher id is ${voucherIdBytes} bytes`);
  if (!(voucher.expiresAt > voucher.issuedAt)) throw new FormatError('expires at', 'a voucher expires after it is issued');
  const payload = mapOf([
    [1, voucher.id],
    [2, voucher.merchantId],
    [3, voucher.siteId],
    [4, voucher.issuedAt],
    [5, voucher.expiresAt],
  ]);
  return seal({ contentType: ContentType.voucher, payload, signer });
}

export type VoucherCheck = { ok: true; voucher: Voucher } | { ok: false; problem: 'garbled' | 'forged' | 'expired'; detail: string };

/**
 * Opens a voucher and checks it: well formed, signed by `operator`, not expired at `now` (ms). Whether its id was
 * used and whether its merchant and site exist is the authorizer's database's to say.
 */
export function checkVoucher(bytes: Uint8Array, operator: PublicKey, now: number): VoucherCheck {
  let voucher: Voucher;
  let opened;
  try {
    opened = open(bytes, ContentType.voucher);
    const map = opened.payload;
    onlyKeys(map, [1, 2, 3, 4, 5], 'voucher');
    voucher = {
      id: readBytes(map, 1, 'voucher id', voucherIdBytes, voucherIdBytes),
      merchantId: readText(map, 2, 'merchant id', 32, terminalIdPattern()),
      issuedAt: readUint(map, 4, 'issued at'),
      expiresAt: readUint(map, 5, 'expires at'),
    };
    if (map.has(3)) voucher.siteId = readText(map, 3, 'site id', 32, terminalIdPattern());
  } catch (error) {
    return { ok: false, problem: 'garbled', detail: error instanceof Error ? error.message : String(error) };
  }
  if (!signedBy(opened, operator)) return { ok: false, problem: 'forged', detail: 'the voucher is not signed by the operator key' };
  if (!(voucher.expiresAt > voucher.issuedAt)) return { ok: false, problem: 'garbled', detail: 'the voucher expires before it is issued' };
  if (now >= voucher.expiresAt) return { ok: false, problem: 'expired', detail: `the voucher expired at ${voucher.expiresAt}` };
  return { ok: true, voucher };
}
