/** A CLI failure meant for a person: `troupe` prints its message as one line and exits 1. */
export class CliError extends Error {
  override name = 'CliError';
}
