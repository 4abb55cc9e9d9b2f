/**
 * `qrpay operator`: the operator's command line over the authorizer's
 * database, through the same composition root as the server
 * (tools/authorizer/composition.ts). It may run while the authorizer serves:
 * SQLite WAL or PostgreSQL (--database), and the authorizer re-reads list
 * versions and the outbox on every use.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { composeAuthorizer, DatabaseUrlError } from '../authorizer/composition';
import { requeueDead } from '../authorizer/domain/outbox';
import { issueProvisioningToken, issueVoucher } from '../authorizer/domain/provisioning';
import { DomainRefusal } from '../authorizer/domain/results';
import { merchantsConfigFor, MerchantsConfigError, type MerchantsConfig } from '../authorizer/domain/merchants';
import { defaultRiskConfig, riskConfigFor, RiskConfigError, type RiskConfig } from '../authorizer/domain/risk/config';
import type { DecisionDetail, OperatorViews } from '../authorizer/store/ports';
import { databaseFileName } from '../authorizer/store/sqlite/database';
import { merchantCommand, merchantHelp, merchantOptions, MerchantUsage, noteKept } from './merchant-commands';
import { operatorOperations } from './operations';
import { publicKeyToText } from '../../src/authorization/signer';

const help = `usage: qrpay operator <command> [options]

commands:
  terminals                          enrolled terminals: status, firmware, last trace, requests, last seen
  suspend TERMINAL_ID [--reason TEXT] stop a terminal: its requests are declined terminal-suspended, its
                                     enrollment refused, until it is resumed (a lost or stolen device, a dispute)
  resume TERMINAL_ID                 let a suspended terminal pay again (it goes on above its last trace number)
  transactions [--terminal ID] [--account KID/ACCOUNT] [--limit N]
                                     requests, newest first, with outcome, reason, score and payment state
  decision REQUEST_ID                one decision: the factors that fired, score, step-up, report, compensation
  freeze KID/ACCOUNT [--reason TEXT] freeze an account (terminals learn it with their next deny list)
  unfreeze KID/ACCOUNT
  report REQUEST_ID [--note TEXT]    report a payment as not the customer's (on their behalf)
  release REQUEST_ID                 end the review of a held payment: capture it (the merchant is paid)
  reverse REQUEST_ID                 end the review of a held payment: return it (the funds never leave)
  void REQUEST_ID --reference REF    cancel a sale whose batch is still open (the funds go back)
  refund REQUEST_ID AMOUNT --reference REF
                                     give back AMOUNT minor units of a captured payment (several refunds never exceed it)
                                     (--reference names the operator's act: the same reference again does nothing more)
  batches [--terminal ID] [--limit N] closed batches, balanced or not, with their totals, and the totals per merchant
  offline-losses [--limit N]         offline payments declined at their upload (the goods were gone), with totals per merchant
  credit COMPENSATION_ID             credit a refund that waits for review
  compensations                      reports and compensations, with the time from report to credit
  notifications [--state queued|delivered|dead] [--limit N]
  requeue                            put dead notifications back in the queue
  merchants                          the merchants with their sites and limits (merchant list)
${merchantHelp}
  provision --merchant ID [--site ID] [--hours N]
                                     a one-time token that enrolls one terminal for the merchant, at one of its sites
                                     (default: the merchant's own), valid 168 h unless --hours says otherwise; give it to
                                     the terminal (qrpay terminal --provisioning-token, a board's config)
  voucher --merchant ID [--site ID] [--hours N]
                                     the same permission as an operator-signed voucher (operator key): nothing is stored
                                     until a terminal enrolls with it, once; it goes where a token goes (a board's
                                     config.provisioningToken, qrpay terminal --provisioning-token)
  rotate-decision-key [--in MINUTES | --from ISO-TIME]
                                     a new decision key (keys/decision-N.key, 0600) and the rotation to it signed by the
                                     current key, served at GET /v1/decision-keys; the authorizer signs with it from the
                                     given time (default in 60 minutes: online terminals fetch it before), terminals that
                                     were offline follow it when they next boot or fail to verify an answer
  counts                             schema, terminals, requests, live codes, and the strangers' requests counted and sampled
                                     (what /v1/health no longer tells anyone)

options:
  --data-dir DIR       where authorizer.sqlite lives (default var/authorizer)
  --database URL       the authorizer's PostgreSQL database instead (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)
  --risk-config FILE   the authorizer's risk configuration, for the refund limit (default: DATA_DIR/risk.json if present)
  --merchants FILE     the authorizer's merchants file, applied as the authorizer applies it (default: DATA_DIR/merchants.json if present)
  --json               print JSON instead of tables
  -h, --help           this text`;

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string', default: 'var/authorizer' },
        database: { type: 'string' },
        'risk-config': { type: 'string' },
        terminal: { type: 'string' },
        account: { type: 'string' },
        state: { type: 'string' },
        limit: { type: 'string', default: '50' },
        reason: { type: 'string' },
        note: { type: 'string', default: 'reported to the operator' },
        reference: { type: 'string' },
        merchant: { type: 'string' },
        site: { type: 'string' },
        merchants: { type: 'string' },
        hours: { type: 'string', default: '168' },
        in: { type: 'string', default: '60' },
        from: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        ...merchantOptions,
      },
    });
  } catch (error) {
    console.error(`qrpay operator: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, argument, extra] = positionals;
  if (values.help || !command) {
    console.log(help);
    return values.help ? 0 : 2;
  }
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) return usage('--limit must be a whole number, 1 or more');
  let risk: RiskConfig = defaultRiskConfig;
  let merchants: MerchantsConfig | undefined;
  try {
    risk = riskConfigFor(values['data-dir'], values['risk-config']);
    merchants = merchantsConfigFor(values['data-dir'], values.merchants);
  } catch (error) {
    if (error instanceof RiskConfigError || error instanceof MerchantsConfigError) return usage(error.message);
    throw error;
  }

  const database = values.database;
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) return usage(new DatabaseUrlError(database).message);
  // Never create a database: a mistyped directory must not look like an empty authorizer (PostgreSQL refuses a database that does not exist).
  if (database === undefined && !existsSync(join(values['data-dir'], databaseFileName))) {
    return fail(`no authorizer database in ${values['data-dir']} (see --data-dir, --database)`);
  }
  const authorizer = await composeAuthorizer({ dataDir: values['data-dir'], ...(database !== undefined ? { database } : {}), risk, ...(merchants ? { merchants } : {}) });
  const { disputes, store } = authorizer;
  const operations = operatorOperations(authorizer);
  if (!(command === 'merchant' && argument === 'import')) noteKept(authorizer.merchantsImport);
  const views = <T>(read: (v: OperatorViews) => Promise<T>) => store.transaction((tx) => read(tx.views));
  try {
    const print = (rows: object[] | object) => {
      if (values.json) console.log(JSON.stringify(rows, null, 2));
      else if (Array.isArray(rows)) console.log(table(rows as Record<string, unknown>[]));
      else console.log(fields(rows as Record<string, unknown>));
    };
    switch (command) {
      case 'terminals':
        print((await operations.terminals()).map((t) => ({ ...t, last_seen: time(t.last_seen) })));
        return 0;
      case 'transactions':
        print((await operations.transactions({ ...(values.terminal ? { terminal: values.terminal } : {}), ...(values.account ? { account: values.account } : {}), limit }))
          .map((t) => ({ ...t, received_at: time(t.received_at) })));
        return 0;
      case 'decision': {
        const id = requestId(argument);
        if (id === undefined) return usage('decision wants a request id (see `transactions`)');
        const detail = await operations.decision(id);
        if (!detail) return fail(`no request ${id}`);
        if (values.json) print(detail);
        else printDecision(detail);
        return 0;
      }
      case 'freeze':
      case 'unfreeze': {
        if (!argument) return usage(`${command} wants an account: KID_HEX/ACCOUNT_HEX`);
        const changed = command === 'freeze' ? await operations.freeze(argument, values.reason ?? 'frozen by the operator') : await operations.unfreeze(argument);
        console.log(changed ? `${command === 'freeze' ? 'froze' : 'unfroze'} ${argument}` : `${argument} was already ${command === 'freeze' ? 'frozen' : 'not frozen'}`);
        return 0;
      }
      case 'report': {
        const id = requestId(argument);
        if (id === undefined) return usage('report wants a request id (see `transactions`)');
        const result = await operations.report(id, values.note);
        print(result);
        return 0;
      }
      case 'release':
      case 'reverse': {
        const id = requestId(argument);
        if (id === undefined) return usage(`${command} wants a request id (see \`transactions\`)`);
        await operations.review(id, command);
        console.log(`${command === 'release' ? 'released' : 'reversed'} the payment of request ${id}`);
        return 0;
      }
      case 'void':
      case 'refund': {
        const id = requestId(argument);
        if (id === undefined) return usage(`${command} wants a request id (see \`transactions\`)`);
        const amount = command === 'refund' ? requestId(extra) : undefined;
        if (command === 'refund' && amount === undefined) return usage('refund wants an amount in minor units, 1 or more');
        if (!values.reference) return usage(`${command} wants --reference REF (your own name for it: running it again with the same one does nothing more)`);
        const settled = await operations.instruct({ action: command, requestId: id, reference: values.reference, ...(amount !== undefined ? { amount } : {}) });
        if (settled.outcome === 'refused') return fail(`${command} of request ${id} refused: ${settled.reason}`);
        console.log(`${command === 'void' ? 'voided' : 'refunded'} ${settled.amount} ${settled.currency ?? ''} of request ${id} (reference ${values.reference})`);
        return 0;
      }
      case 'batches': {
        const rows = await store.transaction((tx) => tx.lifecycle.batches({ ...(values.terminal ? { terminal: values.terminal } : {}), limit }));
        const totals = new Map<string, Record<string, number>>();
        const lines = rows.map((b) => {
          const items = JSON.parse(b.items) as { kind: string; amount: number; currency: string }[];
          const sums: Record<string, number> = {};
          for (const item of items) {
            const key = `${item.kind} ${item.currency}`;
            sums[key] = (sums[key] ?? 0) + item.amount;
            const merchant = totals.get(b.merchantId) ?? {};
            merchant[key] = (merchant[key] ?? 0) + item.amount;
            totals.set(b.merchantId, merchant);
          }
          return {
            closed_at: time(b.closedAt), merchant: b.merchantId, terminal: b.terminalId, batch: b.number, balanced: b.balanced ? 'yes' : 'NO',
            differences: (JSON.parse(b.differences) as unknown[]).length, items: items.length,
            totals: Object.entries(sums).map(([k, v]) => `${k.split(' ')[0]} ${v}`).join(', '),
          };
        });
        if (values.json) {
          print({ batches: rows.map((b) => ({ ...b, items: JSON.parse(b.items), differences: JSON.parse(b.differences) })), totals: Object.fromEntries(totals) });
          return 0;
        }
        print(lines);
        if (totals.size > 0) {
          console.log('\nsettlement totals per merchant (minor units):');
          print([...totals].map(([merchant, sums]) => ({ merchant, ...sums })));
        }
        return 0;
      }
      case 'offline-losses': {
        const losses = await store.transaction((tx) => tx.lifecycle.offlineLosses(limit));
        if (values.json) {
          print(losses);
          return 0;
        }
        print(losses.map((l) => ({ at: time(l.at), merchant: l.merchantId, terminal: l.terminalId, trace: l.trace, amount: l.amount, currency: l.currency, reason: l.reason })));
        const totals = new Map<string, number>();
        for (const l of losses) totals.set(`${l.merchantId} ${l.currency}`, (totals.get(`${l.merchantId} ${l.currency}`) ?? 0) + l.amount);
        if (totals.size > 0) console.log(`\noffline losses per merchant (minor units): ${[...totals].map(([k, v]) => `${k} ${v}`).join(', ')}`);
        return 0;
      }
      case 'credit': {
        const id = requestId(argument);
        if (id === undefined) return usage('credit wants a compensation id (see `compensations`)');
        if (!(await disputes.credit(id))) return fail(`no compensation ${id} waiting for review`);
        console.log(`credited compensation ${id}`);
        return 0;
      }
      case 'compensations': {
        const rows = await views((v) => v.compensations());
        print(rows.map((c) => ({
          ...c, reported_at: time(c.reported_at), credited_at: time(c.credited_at),
          report_to_credit: c.credited_at === null ? 'waiting' : duration(c.credited_at - c.reported_at),
        })));
        const delays = rows.filter((c) => c.credited_at !== null).map((c) => c.credited_at! - c.reported_at).sort((a, b) => a - b);
        if (!values.json && delays.length > 0) {
          console.log(`\n${delays.length} of ${rows.length} credited; report to credit: median ${duration(delays[delays.length >> 1])}, longest ${duration(delays[delays.length - 1])}`);
        }
        return 0;
      }
      case 'notifications':
        print((await operations.notifications(values.state, limit)).map((n) => ({ ...n, created_at: time(n.created_at), delivered_at: time(n.delivered_at) })));
        return 0;
      case 'requeue':
        console.log(`requeued ${await requeueDead(store, Date.now())} dead notifications`);
        return 0;
      case 'suspend':
      case 'resume': {
        if (!argument) return usage(`${command} needs a TERMINAL_ID`);
        const reason = values.reason ?? 'suspended by the operator';
        const changed = await store.transaction(async (tx) => {
          const terminal = await tx.terminals.byId(argument);
          if (!terminal) throw new DomainRefusal('not-found', `no terminal ${argument}`);
          if (command === 'suspend') {
            if (terminal.status !== 'approved') return terminal.status;
            await tx.terminals.suspend(argument, reason);
            return undefined;
          }
          if (terminal.status !== 'suspended') return terminal.status;
          await tx.terminals.approve(argument, Date.now());
          return undefined;
        });
        if (changed !== undefined) return fail(`terminal ${argument} is ${changed}: only ${command === 'suspend' ? 'an approved terminal can be suspended' : 'a suspended terminal can be resumed'}`);
        console.log(command === 'suspend' ? `suspended ${argument} (${reason})` : `resumed ${argument}`);
        return 0;
      }
      case 'merchants':
      case 'merchant':
      case 'site': {
        const done = await merchantCommand(authorizer, command === 'site' ? 'site' : 'merchant', command === 'merchants' ? 'list' : argument, extra, values, merchants);
        if (done.message && !values.json) console.log(done.message);
        else print(done.rows);
        return 0;
      }
      case 'provision': {
        const hours = Number(values.hours);
        if (!values.merchant) return usage('provision needs --merchant ID');
        if (!(Number.isInteger(hours) && hours >= 1)) return usage('--hours must be a whole number, 1 or more');
        const issued = await store.transaction((tx) => issueProvisioningToken(tx, {
          merchantId: values.merchant!, ...(values.site ? { siteId: values.site } : {}), now: Date.now(), lifetimeMs: hours * 3_600_000,
        }));
        const token = Buffer.from(issued.token).toString('hex');
        const at = issued.siteId ? `, site ${issued.siteId}` : '';
        if (values.json) print({ token, merchant: issued.merchantId, site: issued.siteId, expires: time(issued.expiresAt) });
        else console.log(`${token}\n(one terminal, merchant ${issued.merchantId}${at}, until ${time(issued.expiresAt)}; shown once, only its hash is stored)`);
        return 0;
      }
      case 'voucher': {
        const hours = Number(values.hours);
        if (!values.merchant) return usage('voucher needs --merchant ID');
        if (!(Number.isInteger(hours) && hours >= 1)) return usage('--hours must be a whole number, 1 or more');
        const issued = await store.transaction((tx) => issueVoucher(tx, authorizer.operatorKey, {
          merchantId: values.merchant!, ...(values.site ? { siteId: values.site } : {}), now: Date.now(), lifetimeMs: hours * 3_600_000,
        }));
        const voucher = Buffer.from(issued.voucher).toString('hex');
        const at = issued.siteId ? `, site ${issued.siteId}` : '';
        if (values.json) print({ voucher, merchant: issued.merchantId, site: issued.siteId, expires: time(issued.expiresAt) });
        else console.log(`${voucher}\n(one terminal, once, merchant ${issued.merchantId}${at}, until ${time(issued.expiresAt)}; signed by the operator key, stored nowhere until used)`);
        return 0;
      }
      case 'rotate-decision-key': {
        const minutes = Number(values.in);
        const from = values.from !== undefined ? Date.parse(values.from) : Date.now() + minutes * 60_000;
        if (values.from === undefined && !(Number.isInteger(minutes) && minutes >= 0)) return usage('--in must be a whole number of minutes, 0 or more');
        if (!Number.isFinite(from)) return usage('--from must be a date and time, such as 2026-12-03T10:00:00Z');
        const rotated = authorizer.decisionKey.rotate({ from });
        const key = publicKeyToText(rotated.publicKey);
        if (values.json) print({ generation: rotated.generation, key, from: time(rotated.from) });
        else console.log(`decision key generation ${rotated.generation}: ${key}\n(signs from ${time(rotated.from)}; the rotation, signed by generation ${rotated.generation - 1}, is served at /v1/decision-keys)`);
        return 0;
      }
      case 'counts': {
        const counts = await store.transaction(async (tx) => {
          const strangers = await tx.requests.strangers();
          return {
            schema: await store.schemaVersion(), terminals: await tx.terminals.count(), requests: await tx.requests.count(), codes: await tx.codes.count(),
            strangers: strangers.counts,
            samples: strangers.samples.map((x) => ({ kind: x.kind, at: time(x.receivedAt), size: x.size, start: Buffer.from(x.prefix).toString('hex').slice(0, 32), problem: x.problem })),
          };
        });
        if (values.json) print(counts);
        else {
          const { samples, ...totals } = counts;
          console.log(JSON.stringify(totals));
          console.log(table(samples));
        }
        return 0;
      }
      default:
        return usage(`unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof DomainRefusal) return fail(error.message);
    if (error instanceof MerchantUsage) return usage(error.message);
    throw error;
  } finally {
    await authorizer.close();
  }
}

function printDecision(d: DecisionDetail): void {
  const r = d.request;
  console.log(`request ${r.id}  ${time(r.received_at)}  terminal ${r.terminal_id} trace ${r.trace}  ${r.amount ?? '-'} ${r.currency ?? ''}`);
  console.log(`decision: ${r.outcome ?? '(none)'} (${r.reason ?? '-'})${r.state ? `  payment ${r.state}` : ''}${r.account ? `  account ${r.account}` : ''}`);
  console.log(`location: ${r.location_status ?? '-'}${r.latitude !== null ? ` ${r.latitude}, ${r.longitude}` : ''}`);
  if (d.assessment) {
    const a = d.assessment;
    console.log(`score ${a.score} (customer ${a.customer_score}, acceptance ${a.acceptance_score}), config ${a.config}`);
    console.log(a.factors.length ? table(a.factors as unknown as Record<string, unknown>[]) : 'no factor fired');
  }
  for (const e of d.journal) console.log(`${time(e.at)}  ${e.from ?? '(new)'} -> ${e.to}  ${e.cause}: ${e.detail}`);
  if (d.stepUp) console.log(`step-up ${d.stepUp.id}: ${d.stepUp.state}${d.stepUp.final_outcome ? ` -> ${d.stepUp.final_outcome} (${d.stepUp.final_reason})` : ''}`);
  if (d.report) console.log(`reported ${time(d.report.reported_at)} by ${d.report.reported_by}: ${d.report.action} "${d.report.note}"`);
  if (d.compensation) console.log(`compensation ${d.compensation.id}: ${d.compensation.kind} ${d.compensation.amount}, ${d.compensation.state}`);
}

/** Columns padded to their widest cell. */
export function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(none)';
  const columns = Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

function time(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z');
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

function requestId(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

function usage(message: string): number {
  console.error(`qrpay operator: ${message}\n\n${help}`);
  return 2;
}

function fail(message: string): number {
  console.error(`qrpay operator: ${message}`);
  return 1;
}

/** One object as `name  value` lines (nested values inline), the table-less form of --json. */
function fields(row: Record<string, unknown>): string {
  const width = Math.max(0, ...Object.keys(row).map((key) => key.length));
  return Object.entries(row).map(([key, value]) => `${key.padEnd(width)}  ${value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join('\n');
}
