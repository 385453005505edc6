/** A transfer that cannot be done as asked (a non-empty target, counts that differ): one line, exit 1. */
export class TransferError extends Error {}
