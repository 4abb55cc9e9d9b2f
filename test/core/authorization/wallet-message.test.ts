/**
 * Wallet messages (src/authorization/wallet-message.ts): what a wallet signs
 * for the authorizer reads back exactly, is bound to its signer, and every
 * malformed one is a typed FormatError. Portable (XS lane).
 */
import { describe, expect, it } from 'vitest';
import { signedBy } from '../../../src/authorization/envelope';
import { signDecision } from '../../../src/authorization/decision';
import { openWalletMessage, signWalletMessage, type WalletMessage } from '../../../src/authorization/wallet-message';
import { edSigner } from '../../support/terminal-fixture';
import { formatErrorField } from '../../support/format-error';

const owner = edSigner('owner');
const stranger = edSigner('stranger');
const message: WalletMessage = {
  action: 'freeze',
  account: 'a1b2/0c0d0e0f1011',
  subject: Uint8Array.of(0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11),
  signedAt: 1_780_315_200_000,
  note: 'phone stolen',
};

describe('wallet messages', () => {
  it('read back exactly and verify only with the signer\'s key', () => {
    const bytes = signWalletMessage(message, owner);
    const opened = openWalletMessage(bytes);
    expect(opened.message).toEqual(message);
    expect(signedBy(opened.envelope, owner.publicKey)).toBe(true);
    expect(signedBy(opened.envelope, stranger.publicKey)).toBe(false);
  });

  it('leave the note out when there is none', () => {
    const { note, ...bare } = message;
    expect(note).toBe('phone stolen');
    expect(openWalletMessage(signWalletMessage({ ...bare, action: 'step-up-confirm' }, owner)).message).toEqual({ ...bare, action: 'step-up-confirm' });
  });

  it('refuse a bad account, a foreign content type, an unknown action or field, with typed errors', () => {
    expect(formatErrorField(() => signWalletMessage({ ...message, account: 'alice' }, owner))).toBe('account');
    const decision = signDecision(
      { requestHash: new Uint8Array(32), terminalId: 'T1', trace: 1, outcome: 'declined', reason: 'x', display: 'x', issuedAt: 1 },
      owner,
    );
    expect(formatErrorField(() => openWalletMessage(decision))).toBe('content type');
    expect(formatErrorField(() => openWalletMessage(Uint8Array.of(1, 2, 3)))).toBe('message');
    const bytes = signWalletMessage(message, owner);
    // Flip the action text "freeze" to "freezf": no longer a known action (and no longer signed, but it is refused before that).
    const tampered = bytes.slice();
    const at = indexOfText(tampered, 'freeze');
    tampered[at + 5] = 'f'.charCodeAt(0);
    expect(formatErrorField(() => openWalletMessage(tampered))).toBe('action');
  });
});

function indexOfText(bytes: Uint8Array, text: string): number {
  outer: for (let i = 0; i + text.length <= bytes.length; i++) {
    for (let j = 0; j < text.length; j++) if (bytes[i + j] !== text.charCodeAt(j)) continue outer;
    return i;
  }
  throw new Error(`${text} not found`);
}
