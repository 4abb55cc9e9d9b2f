import { FormatError } from '../../src/authorization/fields';

/** The field a FormatError names, or 'accepted' when `run` does not throw; any other error is rethrown. */
export function formatErrorField(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof FormatError) return error.field;
    throw error;
  }
  return 'accepted';
}
