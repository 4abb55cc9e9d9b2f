// Appending one offline approval to the journal: its three writes (the advice's copy, offline-releasing, then offline once the goods moved), the entries CBOR maps with their CRC-32.
import { prepareJournal, type JournalState } from './offline-world';

export const prepare = (): JournalState => prepareJournal(0);

export function op(state: JournalState): void {
  const trace = ++state.trace;
  state.ledger.approvedOffline(trace, state.advice, 450, 'EUR', 'a1b2/c0000001');
  state.ledger.releasedOffline(trace, state.advice, 450, 'EUR', 'a1b2/c0000001');
}
