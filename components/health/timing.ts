/**
 * Runs one check under a time limit and measures it. A check that hangs fails when its limit passes;
 * its pending work is signalled to stop through an `AbortSignal` but never awaited.
 */
import type { CheckResult } from "./types";

/** Default time limit of a check, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 2000;
/** Longest message kept in a check result, in characters; longer ones are cut with `…`. */
export const MAX_MESSAGE_LENGTH = 300;

/**
 * The work of one check. Resolve to pass (a string becomes the result's `message`), throw or reject to
 * fail (the error's message becomes the result's `message`).
 */
export type CheckWork = (signal: AbortSignal) => Promise<string | void> | string | void;

/**
 * Runs `work` and turns its outcome into a {@link CheckResult}.
 *
 * @param work the check.
 * @param timeoutMs time limit in milliseconds; when it passes the result is `fail` with
 *   `timed out after <timeoutMs> ms` and the signal given to `work` is aborted.
 * @returns never rejects.
 */
export async function runCheck(work: CheckWork, timeoutMs: number): Promise<CheckResult> {
    const started = Date.now();
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            const error = new Error(`timed out after ${timeoutMs} ms`);
            controller.abort(error);
            reject(error);
        }, timeoutMs);
    });
    try {
        // `Promise.resolve().then` turns a synchronous throw of `work` into a rejection.
        const note = await Promise.race([Promise.resolve().then(() => work(controller.signal)), deadline]);
        return result("ok", started, typeof note === "string" && note !== "" ? note : undefined);
    } catch (error) {
        return result("fail", started, errorMessage(error));
    } finally {
        if (timer !== undefined) clearTimeout(timer);
    }
}

/** A readable one-line message for anything thrown. */
export function errorMessage(error: unknown): string {
    if (error instanceof Error) return error.message === "" ? error.name : error.message;
    return typeof error === "string" ? error : "unknown error";
}

function result(status: CheckResult["status"], started: number, message: string | undefined): CheckResult {
    const latencyMs = Math.max(0, Date.now() - started);
    if (message === undefined) return { status, latencyMs };
    const line = message.replace(/\s+/g, " ").trim();
    return { status, latencyMs, message: line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : line };
}
