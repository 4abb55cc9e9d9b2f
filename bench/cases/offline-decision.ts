// The offline decision alone: the journal read (9 approvals waiting, one short of the default count) and every bound judged.
import { defaultOfflineLimits } from '../../src/authorization/enrollment';
import { offlineVerdict } from '../../src/terminal/offline';
import type { CodeCheck } from '../../src/terminal/code-check';
import { prepareJournal, type JournalState } from './offline-world';

const check: CodeCheck = {
  verdict: { status: 'verified', codeId: Uint8Array.of(1, 2, 3, 4, 5, 6) }, decline: false, summary: 'bench',
  offline: { credential: 'a1b2/c0000003', allowed: true },
};
const now = Date.UTC(2026, 10, 25, 9, 0, 0);

export const prepare = (): JournalState => prepareJournal(9);

export function op(state: JournalState): void {
  const verdict = offlineVerdict({
    limits: defaultOfflineLimits, check, amount: 450, kind: undefined, journal: state.ledger.journal('a1b2/c0000003'),
    now, listsIssuedAt: now - 3_600_000, clockTrusted: true,
  });
  if (!verdict.ok) throw new Error(`expected an offline approval, got ${verdict.reason}`);
}
