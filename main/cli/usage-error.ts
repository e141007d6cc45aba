/** An error the user can fix: printed as its sentence alone, exit status 1, no stack trace. */
export class UsageError extends Error {}
