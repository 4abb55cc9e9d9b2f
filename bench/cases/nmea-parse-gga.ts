// Field parsing alone: one GNGGA sentence body (checksum already verified) to a record.
import { parseSentence } from '../../src/location/sentences/index';

export function prepare(): string {
  return 'GNGGA,235924.00,3436.22295,S,05822.89447,W,1,12,1.05,26.2,M,17.0,M,,';
}

export function op(body: string): void {
  if (typeof parseSentence(body) !== 'object') throw new Error('GGA did not parse');
}
