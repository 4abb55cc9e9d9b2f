// Reading the journal back from flash and checking every entry (CBOR and CRC-32): 9 offline approvals, as at every settle.
import { prepareJournal, type JournalState } from './offline-world';

export const prepare = (): JournalState => prepareJournal(9);

export function op(state: JournalState): void {
  const { entries, damaged } = state.flash.entries(true);
  if (entries.length !== 9 || damaged.length !== 0) throw new Error(`expected 9 good entries, got ${entries.length} and ${damaged.length} damaged`);
}
