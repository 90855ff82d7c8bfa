/**
 * How the command-line tools end: the exit code `main` returns, or for an error, 2 with its message when
 * the user can fix it (bad arguments, config, declarations, files; any `UserError`), else 1 with the
 * stack trace (a bug).
 */

/** Whether the user can fix `error`: a `UserError` (the SDK's run-error marker) or a `node:util` argument error. */
export function isUserError(error: unknown): boolean {
    const e = error as { __pulumiRunError?: boolean; code?: string } | null;
    return e?.__pulumiRunError === true || (typeof e?.code === "string" && e.code.startsWith("ERR_PARSE_ARGS_"));
}

/**
 * Runs a command's `main` and exits: with its code, or as {@link isUserError} decides.
 * @param usage printed after an argument error.
 */
export function runCli(main: (argv: string[]) => Promise<number>, usage: string): void {
    const fail = (error: unknown) => {
        const user = isUserError(error);
        const argumentError = (error as { code?: string } | null)?.code?.startsWith("ERR_PARSE_ARGS_") === true;
        process.stderr.write(`error: ${user ? (error as Error).message : (error as Error)?.stack ?? String(error)}\n${argumentError ? `${usage}\n` : ""}`);
        process.exit(user ? 2 : 1);
    };
    main(process.argv.slice(2)).then((code) => process.exit(code), fail);
}
