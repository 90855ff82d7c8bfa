/**
 * The dynamic provider behind {@link HealthGate}: during `pulumi up`, requests a service's health URL
 * until it answers healthy or the time runs out, and then fails the update with the failing checks.
 *
 * Healthy means: HTTP 200, a JSON body of the health library's report shape
 * (`{ status, checks: { <name>: { status, latencyMs, message? } } }`, see `components/health/types.ts`),
 * `status: "ok"`, and every expected check present with `status: "ok"`.
 *
 * Pulumi serializes this object into the stack state (`__provider`) and runs it under plain Node.js, so
 * it references only globals (`fetch`, `AbortSignal`, `setTimeout`) and the helpers in this file.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Inputs of the provider (what `HealthGate` registers, minus `__provider`). */
export interface HealthGateInputs {
    /** Declared service name, for messages. */
    readonly service: string;
    /** Absolute health URL (`https://api.example.com/health`). */
    readonly url: string;
    /** How long to keep asking, in seconds. */
    readonly timeoutSeconds: number;
    /** Pause between requests, in seconds. */
    readonly intervalSeconds: number;
    /** Check names that must be present and ok. */
    readonly expectedChecks: readonly string[];
    /** Extra request headers, e.g. `Cloudflare-Workers-Version-Overrides` to reach one version. */
    readonly headers: Readonly<Record<string, string>>;
    /** Opaque value that changes whenever what the gate guards was redeployed; a change re-runs the gate. */
    readonly trigger?: string;
}

/** State of the gate after it passed. */
export interface HealthGateOutputs extends HealthGateInputs {
    /** Requests it took to see a healthy answer. */
    readonly attempts: number;
    /** Check names of the healthy report, in report order. */
    readonly checks: string[];
}

/** What one request showed. */
interface Verdict {
    readonly healthy: boolean;
    /** HTTP status, absent when the request itself failed. */
    readonly httpStatus?: number;
    /** Network error or time-out of the request. */
    readonly error?: string;
    /** `status` of the report, when the body was one. */
    readonly reportStatus?: string;
    /** The body's start, when it was not a report. */
    readonly notReport?: string;
    readonly failing: readonly { readonly name: string; readonly message?: string }[];
    readonly missing: readonly string[];
    readonly checks: readonly string[];
}

/**
 * Lifecycle of a `HealthGate`: `create` and `update` wait for a healthy answer (any input change, such
 * as a new `trigger`, is an update), `delete` does nothing.
 */
export const healthGateProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: HealthGateOutputs, news: HealthGateInputs) {
        const keys = ["service", "url", "timeoutSeconds", "intervalSeconds", "expectedChecks", "headers", "trigger"] as const;
        const changes = keys.some((key) => JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null));
        return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs: HealthGateInputs) {
        return { id: `health-gate:${inputs.service}:${inputs.url}`, outs: await waitUntilHealthy(inputs) };
    },

    async update(_id: string, _olds: HealthGateOutputs, news: HealthGateInputs) {
        return { outs: await waitUntilHealthy(news) };
    },

    async delete() {
        // A gate holds nothing.
    },
};

/** Asks until healthy; throws with the last answer's failing checks once `timeoutSeconds` have passed. */
async function waitUntilHealthy(inputs: HealthGateInputs): Promise<HealthGateOutputs> {
    const started = Date.now();
    const deadline = started + inputs.timeoutSeconds * 1000;
    let attempts = 0;
    let last: Verdict;
    for (;;) {
        attempts += 1;
        // Each request gets at most 10 s, and never runs past the deadline by more than a second.
        last = await probe(inputs, Math.max(1000, Math.min(10_000, deadline - Date.now())));
        if (last.healthy) return { ...inputs, attempts, checks: [...last.checks] };
        if (Date.now() + inputs.intervalSeconds * 1000 > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, inputs.intervalSeconds * 1000));
    }
    throw new Error(describeFailure(inputs, attempts, Math.round((Date.now() - started) / 1000), last));
}

/** One request to the health URL, judged. */
async function probe(inputs: HealthGateInputs, timeoutMs: number): Promise<Verdict> {
    const none = { failing: [], missing: [], checks: [] };
    let status: number;
    let text: string;
    try {
        const response = await fetch(inputs.url, {
            headers: { accept: "application/json", "cache-control": "no-cache", ...inputs.headers },
            signal: AbortSignal.timeout(timeoutMs),
        });
        status = response.status;
        text = await response.text();
    } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause?.message;
        return { healthy: false, error: `${(error as Error).message}${cause ? ` (${cause})` : ""}`, ...none };
    }
    let report: { status?: unknown; checks?: Record<string, { status?: unknown; message?: unknown }> } | undefined;
    try {
        report = JSON.parse(text);
    } catch {
        report = undefined;
    }
    if (typeof report !== "object" || report === null || typeof report.checks !== "object" || report.checks === null || typeof report.status !== "string") {
        return { healthy: false, httpStatus: status, notReport: text.slice(0, 200), ...none };
    }
    const entries = Object.entries(report.checks);
    const failing = entries.filter(([, check]) => check?.status !== "ok")
        .map(([name, check]) => (typeof check?.message === "string" ? { name, message: check.message } : { name }));
    const names = entries.map(([name]) => name);
    const missing = inputs.expectedChecks.filter((name) => !names.includes(name));
    return {
        healthy: status === 200 && report.status === "ok" && failing.length === 0 && missing.length === 0,
        httpStatus: status,
        reportStatus: report.status,
        failing,
        missing,
        checks: names,
    };
}

/** The message that fails the update: where, how long, which checks failed and why. */
function describeFailure(inputs: HealthGateInputs, attempts: number, seconds: number, last: Verdict): string {
    const lines = [
        `Health gate failed for service ${inputs.service}: GET ${inputs.url} did not answer healthy within ` +
        `${inputs.timeoutSeconds} s (${attempts} request${attempts === 1 ? "" : "s"} over ${seconds} s, every ${inputs.intervalSeconds} s).`,
    ];
    if (last.failing.length > 0) {
        lines.push(`Failing checks: ${last.failing.map((c) => c.name).join(", ")}`);
        for (const check of last.failing) lines.push(`  - ${check.name}: ${check.message ?? "failed (no message)"}`);
    }
    if (last.missing.length > 0) lines.push(`Expected checks missing from the report: ${last.missing.join(", ")}`);
    if (last.error !== undefined) {
        lines.push(`Last request failed: ${last.error}`);
    } else if (last.notReport !== undefined) {
        lines.push(`Last answer: HTTP ${last.httpStatus}, not a health report: ${JSON.stringify(last.notReport)}`);
    } else {
        lines.push(`Last answer: HTTP ${last.httpStatus}, report status "${last.reportStatus}".`);
    }
    const override = inputs.headers["Cloudflare-Workers-Version-Overrides"];
    if (override !== undefined) lines.push(`Requests were pinned to one version with Cloudflare-Workers-Version-Overrides: ${override}`);
    lines.push("What the gate guards is already deployed: fix it and run `pulumi up` again, or roll back (docs/deploy-safety.md).");
    return lines.join("\n");
}
