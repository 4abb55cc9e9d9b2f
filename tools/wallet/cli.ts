/**
 * `qrpay wallet`: the developer's wallet on the command line. Keys and
 * credentials are JSON files; operator lists are signed CBOR files a terminal
 * installs; payment codes are printed as text, as a terminal QR, or written as PNG.
 */
import { randomFillSync } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Entropy } from '../../hal/entropy';
import type { CoseAlgName } from '../../src/cose/sign1';
import { unhex } from '../../src/paycode/hex';
import { DenyList, parsePaymentCode, PaycodeError, PaymentCodeVerifier, ReplayCache, TrustStore } from '../../src/paycode';
import { loadCredential, loadIssuer, loadKey, saveCredential, saveKey, WalletFileError, writeOutputFile } from './files';
import { exitCodes } from '../cli/exit';
import { accountOf, freezeAccount, nameContact, reportPayment, send, stepUpAnswer, type AuthorizerAnswer } from './authorizer-client';
import {
  createDeviceKey, createIssuer, createOperatorRoot, issueCredential, makePaymentCode, signDenyList, signTrustList,
} from './wallet';

const entropy: Entropy = { fill: (bytes) => randomFillSync(bytes) };
const clock = { now: () => Date.now() };
const nowSeconds = () => Math.floor(Date.now() / 1000);

const help = `usage: qrpay wallet <command> [options]

commands:
  issuer      --out FILE [--alg ES256|EdDSA] [--kid HEX] [--force]
                                                               create a wallet issuer key
  operator    --out FILE [--alg ES256|EdDSA] [--force]         create an operator root key
  trust-list  --operator FILE --issuer FILE [--issuer FILE...] --version N --out FILE [--days D]
                                                               sign a trust list of issuer keys (default 30 days)
  deny-list   --operator FILE --version N --out FILE [--days D] [--revoke KID/CREDID...] [--freeze KID/ACCOUNT...]
                                                               sign a deny list (hex ids; default 1 day)
  credential  --issuer FILE --out FILE [--alg ES256|EdDSA] [--days D] [--cap AMOUNT] [--offline] [--force]
                                                               create a device key and issue its credential
  code        --credential FILE [--lifetime S] [--amount-cap AMOUNT] [--png FILE] [--qr] [--count N]
                                                               make fresh payment codes (text; --qr draws it)
  inspect     --text CODE                                      decode a payment code's fields (no checks)
  verify      --text CODE --operator FILE --trust-list FILE --deny-list FILE [--amount AMOUNT]
                                                               verify a code as a terminal would, now
                                                               (exit 0 accepted, 3 rejected)
  step-up     --credential FILE --authorizer URL --challenge HEX [--refuse]
                                                               confirm (or refuse) a payment the authorizer asks about
  report      --credential FILE --authorizer URL --payment HEX [--note TEXT]
                                                               report a payment (request hash from its notification) as not yours
  freeze      --credential FILE --authorizer URL [--account KID/ACCOUNT] [--reason TEXT]
                                                               freeze your account, or with --account the account of someone
                                                               who named you their trusted contact
  contact     --credential FILE --authorizer URL --contact FILE --name NAME
                                                               name the holder of another credential file your trusted contact

Amounts are in minor units. Key and credential files hold secret keys in the clear (simulator use
only); an existing one is never replaced without --force. Output directories are created.`;

class UsageError extends Error {}

interface Parsed { values: Map<string, string[]>; flags: Set<string> }

const flagNames = new Set(['offline', 'qr', 'help', 'refuse', 'force']);

function parse(args: string[]): Parsed {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h') { flags.add('help'); continue; }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const name = arg.slice(2);
    if (flagNames.has(name)) { flags.add(name); continue; }
    const value = args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { values, flags };
}

function one(p: Parsed, name: string, fallback?: string): string {
  const v = p.values.get(name);
  if (v && v.length > 1) throw new UsageError(`--${name} given more than once`);
  if (v) return v[0];
  if (fallback !== undefined) return fallback;
  throw new UsageError(`--${name} is required`);
}

function optional(p: Parsed, name: string): string | undefined {
  return p.values.has(name) ? one(p, name) : undefined;
}

function integer(p: Parsed, name: string, fallback?: number): number {
  const text = one(p, name, fallback === undefined ? undefined : String(fallback));
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return value;
}

function alg(p: Parsed): CoseAlgName {
  const value = one(p, 'alg', 'ES256');
  if (value !== 'ES256' && value !== 'EdDSA') throw new UsageError('--alg must be ES256 or EdDSA');
  return value;
}

function hexArg(text: string, what: string): Uint8Array {
  const bytes = unhex(text);
  if (!bytes || bytes.length === 0) throw new UsageError(`${what} '${text}' is not hex`);
  return bytes;
}

function pairs(p: Parsed, name: string): [Uint8Array, Uint8Array][] {
  return (p.values.get(name) ?? []).map((entry) => {
    const [kid, id] = entry.split('/');
    if (id === undefined) throw new UsageError(`--${name} takes KID/ID in hex`);
    return [hexArg(kid, 'kid'), hexArg(id, 'id')];
  });
}

function readFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new WalletFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Each command resolves with its exit code, or nothing for `ok`. */
const commands: Record<string, (p: Parsed) => Promise<number | void>> = {
  async inspect(p) {
    try {
      console.log(JSON.stringify(describeCode(one(p, 'text')), null, 2));
    } catch (error) {
      if (error instanceof PaycodeError) throw new UsageError(`${error.reason}: ${error.message}`);
      throw error;
    }
  },
  async verify(p) {
    const operator = loadKey(one(p, 'operator'), 'operator');
    const root = { alg: operator.alg, publicKey: operator.publicKey };
    const now = nowSeconds();
    const trustStore = new TrustStore({ root, prepareIssuerKeys: false });
    const denyList = new DenyList({ root });
    for (const [name, store] of [['trust-list', trustStore], ['deny-list', denyList]] as const) {
      const installed = store.install(readFile(one(p, name)), now);
      if (!installed.ok) throw new UsageError(`${name}: ${installed.reason}: ${installed.detail}`);
    }
    const verifier = new PaymentCodeVerifier({ clock: { ...clock, monotonic: () => 0, setTimer: () => 0, clearTimer: () => undefined }, trustStore, denyList, replayCache: new ReplayCache() });
    const amount = optional(p, 'amount');
    const result = verifier.verify(one(p, 'text'), amount === undefined ? {} : { amount: integer(p, 'amount') });
    console.log(JSON.stringify(result, null, 2));
    return result.ok ? exitCodes.ok : exitCodes.declined;
  },
  async issuer(p) {
    const kid = optional(p, 'kid');
    const issuer = createIssuer({ alg: alg(p), kid: kid === undefined ? undefined : hexArg(kid, '--kid') }, entropy);
    saveKey(one(p, 'out'), 'issuer', issuer, p.flags.has('force'));
    console.log(`issuer ${issuer.alg} kid ${bytesToHex(issuer.kid)} public key ${bytesToHex(issuer.publicKey)} -> ${one(p, 'out')}`);
  },
  async operator(p) {
    const root = createOperatorRoot({ alg: alg(p) }, entropy);
    saveKey(one(p, 'out'), 'operator', root, p.flags.has('force'));
    console.log(`operator root ${root.alg} public key ${bytesToHex(root.publicKey)} -> ${one(p, 'out')}`);
  },
  async 'trust-list'(p) {
    const root = loadKey(one(p, 'operator'), 'operator');
    const issuers = (p.values.get('issuer') ?? []).map(loadIssuer);
    if (issuers.length === 0) throw new UsageError('--issuer is required (one or more)');
    const now = nowSeconds();
    const bytes = signTrustList(root, { version: integer(p, 'version'), issuedAt: now, expiresAt: now + integer(p, 'days', 30) * 86400, issuers });
    writeOutputFile(one(p, 'out'), bytes);
    console.log(`trust list version ${integer(p, 'version')}, ${issuers.length} issuer(s), ${bytes.length} bytes -> ${one(p, 'out')}`);
  },
  async 'deny-list'(p) {
    const root = loadKey(one(p, 'operator'), 'operator');
    const now = nowSeconds();
    const bytes = signDenyList(root, {
      version: integer(p, 'version'),
      issuedAt: now,
      expiresAt: now + integer(p, 'days', 1) * 86400,
      revokedCredentials: pairs(p, 'revoke').map(([issuerKid, credentialId]) => ({ issuerKid, credentialId })),
      frozenAccounts: pairs(p, 'freeze').map(([issuerKid, account]) => ({ issuerKid, account })),
    });
    writeOutputFile(one(p, 'out'), bytes);
    console.log(`deny list version ${integer(p, 'version')}, ${bytes.length} bytes -> ${one(p, 'out')}`);
  },
  async credential(p) {
    const issuer = loadIssuer(one(p, 'issuer'));
    const device = createDeviceKey({ alg: alg(p) }, entropy);
    const now = nowSeconds();
    const cap = optional(p, 'cap');
    const limits = cap !== undefined || p.flags.has('offline')
      ? { perPaymentCap: cap === undefined ? undefined : integer(p, 'cap'), offlineAllowed: p.flags.has('offline') }
      : undefined;
    const credential = issueCredential(issuer, {
      device: { alg: device.alg, publicKey: device.publicKey },
      notBefore: now - 60,
      expiresAt: now + integer(p, 'days', 365) * 86400,
      limits,
    }, entropy);
    saveCredential(one(p, 'out'), credential, device, p.flags.has('force'));
    console.log(`credential ${bytesToHex(credential.credentialId)} for account ${bytesToHex(credential.account)}, device ${device.alg}, ` +
      `${credential.bytes.length} bytes -> ${one(p, 'out')}`);
  },
  async code(p) {
    const { credential, device } = loadCredential(one(p, 'credential'));
    const count = integer(p, 'count', 1);
    const amountCap = optional(p, 'amount-cap');
    // Loaded here, not at the top: `qrcode` is an optional peer, needed only to render codes.
    const { qrInfo, qrTerminalText, writeQrPng } = await import('./render');
    for (let i = 0; i < count; i++) {
      const code = makePaymentCode(credential, device, {
        clock, entropy, lifetimeSeconds: integer(p, 'lifetime', 30), amountCap: amountCap === undefined ? undefined : integer(p, 'amount-cap'),
      });
      const info = qrInfo(code.text);
      console.error(`code ${bytesToHex(code.codeId)}: ${code.bytes.length} bytes, ${code.text.length} characters, QR version ${info.version}-${info.ecLevel}, expires in ${code.expiresAt - code.issuedAt} s`);
      if (p.flags.has('qr')) console.log(await qrTerminalText(code.text));
      console.log(code.text);
      const png = optional(p, 'png');
      if (png !== undefined) {
        const path = count === 1 ? png : png.replace(/(\.png)?$/, `-${i + 1}.png`);
        mkdirSync(dirname(path), { recursive: true });
        await writeQrPng(path, code.text);
        console.error(`-> ${path}`);
      }
    }
  },
  async 'step-up'(p) {
    const { credential, device } = loadCredential(one(p, 'credential'));
    const challenge = one(p, 'challenge');
    if (!/^[0-9a-f]{32}$/i.test(challenge)) throw new UsageError('--challenge is the 32 hex digits of the step-up challenge id');
    answered('step-up', await send(one(p, 'authorizer'), stepUpAnswer(device, credential, challenge.toLowerCase(), !p.flags.has('refuse'), Date.now())));
  },
  async report(p) {
    const { credential, device } = loadCredential(one(p, 'credential'));
    const payment = one(p, 'payment');
    if (!/^[0-9a-f]{64}$/i.test(payment)) throw new UsageError('--payment is the 64 hex digits of the payment (request hash) from its notification');
    answered('report', await send(one(p, 'authorizer'), reportPayment(device, credential, payment.toLowerCase(), one(p, 'note', ''), Date.now())));
  },
  async freeze(p) {
    const { credential, device } = loadCredential(one(p, 'credential'));
    const account = one(p, 'account', accountOf(credential));
    if (!/^[0-9a-f]+\/[0-9a-f]+$/i.test(account)) throw new UsageError('--account is KID/ACCOUNT in hex');
    answered('freeze', await send(one(p, 'authorizer'), freezeAccount(device, account.toLowerCase(), one(p, 'reason', ''), Date.now())));
  },
  async contact(p) {
    const { credential, device } = loadCredential(one(p, 'credential'));
    const contact = loadCredential(one(p, 'contact'));
    const named = nameContact(device, credential, { name: one(p, 'name'), publicKey: contact.device.publicKey }, Date.now());
    answered('contact', await send(one(p, 'authorizer'), named));
  },
};

function describeCode(text: string): Record<string, unknown> {
  const code = parsePaymentCode(text);
  const credential = code.credential;
  return {
    alg: code.alg, codeId: bytesToHex(code.codeId), issuedAt: code.issuedAt, expiresAt: code.expiresAt, amountCap: code.amountCap,
    credential: {
      issuerAlg: credential.alg, issuerKid: bytesToHex(credential.issuerKid), account: bytesToHex(credential.account),
      credentialId: bytesToHex(credential.credentialId), notBefore: credential.notBefore, expiresAt: credential.expiresAt,
      device: { alg: credential.deviceKey.alg, publicKey: bytesToHex(credential.deviceKey.publicKey) }, limits: credential.limits,
    },
  };
}

/** Prints the authorizer's answer; a refusal is an error with its reason. */
function answered(what: string, answer: AuthorizerAnswer): void {
  if (answer.status !== 200) throw new AuthorizerRefusal(`the authorizer refused the ${what} (${answer.status}): ${String(answer.body.error ?? '')}`);
  console.log(JSON.stringify(answer.body));
}

class AuthorizerRefusal extends Error {}

export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help);
    return name ? 0 : 2;
  }
  const command = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
  if (!command) {
    console.error(`qrpay wallet: unknown command '${name}'\n\n${help}`);
    return 2;
  }
  try {
    const parsed = parse(rest);
    if (parsed.flags.has('help')) {
      console.log(help);
      return 0;
    }
    return (await command(parsed)) ?? exitCodes.ok;
  } catch (error) {
    if (error instanceof UsageError || error instanceof WalletFileError) {
      console.error(`qrpay wallet ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof AuthorizerRefusal || (error instanceof Error && error.name === 'TimeoutError') || error instanceof TypeError) {
      console.error(`qrpay wallet ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
