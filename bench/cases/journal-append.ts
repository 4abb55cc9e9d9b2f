// Appending one offline approval to the journal: its two writes (offline-releasing, then offline once the goods moved), each a CBOR map with its CRC-32.
import { prepareJournal, type JournalState } from './offline-world';

export const prepare = (): JournalState => prepareJournal(0);

export function op(state: JournalState): void {
  const trace = ++state.trace;
  state.ledger.approvedOffline(trace, state.advice, 450, 'EUR', 'a1b2/c0000001');
  state.ledger.releasedOffline(trace, state.advice, 450, 'EUR', 'a1b2/c0000001');
}
