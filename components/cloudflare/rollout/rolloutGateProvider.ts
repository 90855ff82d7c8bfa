/**
 * The dynamic provider behind {@link RolloutGate}: during `pulumi up`, after the new Worker version is
 * uploaded and before the `WorkersDeployment` sends it all traffic, moves traffic through the rollout's
 * steps below 100%, reads each step's window from Workers analytics, and either lets the update go on
 * (the `WorkersDeployment` then promotes to 100%) or sends all traffic back to the old version and fails
 * the update with the figures that tripped it.
 *
 * Pulumi serializes this object into the stack state (`__provider`) and the dynamic provider host runs it
 * under plain Node.js, so it references only globals (`fetch`, `process.env`, `AbortSignal`, `setTimeout`)
 * and the helpers in this file, and reads credentials from the environment at call time: no credential is
 * captured in the serialized provider or written to state.
 *
 * Vendor facts relied on:
 * - Deployments: `GET /accounts/{account_id}/workers/scripts/{script_name}/deployments` lists deployments,
 *   the first "the latest deployment actively serving traffic"; `POST` to the same path with
 *   `{ strategy: "percentage", versions: [{ version_id, percentage }], annotations: { "workers/message" } }`
 *   creates one (one or two versions, percentages totalling 100).
 *   https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/create/ ,
 *   https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/list/
 * - Analytics: the GraphQL Analytics API (`POST <api>/graphql`, `{ query, variables }`, answers
 *   `{ data, errors }`), dataset `workersInvocationsAdaptive` under `viewer.accounts(filter: { accountTag })`,
 *   filtered on `scriptName`, `datetime_geq`, `datetime_leq`, with `sum { requests errors }` and
 *   `quantiles { wallTimeP95 }` (microseconds), grouped by the `scriptVersion` dimension (the version id).
 *   `errors` counts invocations that threw, exceeded resources or hit an internal error.
 *   https://developers.cloudflare.com/analytics/graphql-api/ ,
 *   https://developers.cloudflare.com/analytics/graphql-api/tutorials/querying-workers-metrics/ ,
 *   https://developers.cloudflare.com/workers/observability/metrics-and-analytics/#invocation-statuses
 * - Metrics reach the API with a delay of a few minutes ("a slight delay in aggregation and metrics
 *   delivery", same page): `lowTraffic.outcome: wait` reads again over a growing window.
 * - HTTP 429 carries `Retry-After` (seconds or an HTTP date; RFC 9110 §10.2.3).
 *   https://developers.cloudflare.com/fundamentals/api/reference/limits/
 * - `CLOUDFLARE_API_TOKEN` and `CLOUDFLARE_API_BASE_URL` (default `https://api.cloudflare.com/client/v4`) are
 *   the variables wrangler reads; `CLOUDFLARE_GRAPHQL_API_URL` overrides the GraphQL endpoint (default
 *   `<base>/graphql`). https://developers.cloudflare.com/workers/wrangler/system-environment-variables/
 */
import type * as pulumi from "@pulumi/pulumi";

/** Inputs of the provider (what `RolloutGate` registers, minus `__provider`). */
export interface RolloutGateInputs {
    /** Declared service name, for messages. */
    readonly service: string;
    /** Cloudflare account id (32 hex characters); the analytics `accountTag`. */
    readonly accountId: string;
    /** The Worker's name (script name). */
    readonly scriptName: string;
    /** Id of the version being rolled out (the `WorkerVersion` of the current code). */
    readonly newVersionId: string;
    /** The old version to split with (`deployment.stableVersionId`); absent: the live deployment's largest other version. */
    readonly stableVersionId?: string;
    /** Set while `deployment.rollbackTo` is: the gate is suspended and calls nothing. */
    readonly rollbackTo?: string;
    /** The new version's share at each step, percent, increasing, last 100. */
    readonly steps: readonly number[];
    /** Bake time of each step below 100, seconds. */
    readonly bakeSeconds: number;
    /** What the new version must meet in each window. */
    readonly thresholds: {
        /** Highest error rate of the new version, fraction. */
        readonly maxErrorRate: number;
        /** Highest excess of the new version's error rate over the old one's, fraction. */
        readonly maxErrorRateIncrease: number;
        /** Highest p95 wall time of the new version as a multiple of the old one's. */
        readonly maxP95Ratio: number;
        /** Requests each version must serve in a window before it is judged. */
        readonly minRequests: number;
    };
    /** What too little traffic means; `maxWaitSeconds` with `wait` only. */
    readonly lowTraffic: { readonly outcome: "wait" | "promote" | "fail"; readonly maxWaitSeconds?: number };
    /** Attempts of each API call, 1–10. */
    readonly apiAttempts: number;
}

/** One version's figures over a window. */
export interface VersionFigures {
    /** `sum.requests`. */
    readonly requests: number;
    /** `sum.errors`. */
    readonly errors: number;
    /** `quantiles.wallTimeP95` in milliseconds (the API's microseconds / 1000); null without data. */
    readonly p95Ms: number | null;
}

/** A judged step. */
export interface StepWindow {
    /** The new version's share during the step, percent. */
    readonly percentage: number;
    /** Window start and end, ISO 8601 UTC. */
    readonly from: string;
    readonly to: string;
    readonly newVersion: VersionFigures;
    readonly oldVersion: VersionFigures;
    /** True when the step was accepted unjudged for too little traffic (`lowTraffic.outcome: promote`). */
    readonly lowTraffic: boolean;
}

/**
 * How a run ended:
 * - `promoted`: every step below 100 passed; the `WorkersDeployment` sends the new version 100%.
 * - `first-deploy`: the Worker had no deployment, so there was nothing to compare with.
 * - `already-serving`: the live deployment serves only the new version already (a re-run).
 * - `suspended`: `rollbackTo` is set; nothing was called.
 */
export type RolloutOutcome = "promoted" | "first-deploy" | "already-serving" | "suspended";

/** State of the gate after a run that let the update go on. */
export interface RolloutGateOutputs extends RolloutGateInputs {
    readonly outcome: RolloutOutcome;
    /** The version compared with; absent without one. */
    readonly oldVersionId?: string;
    /** The judged steps, in order. */
    readonly windows: StepWindow[];
}

/**
 * Lifecycle of a `RolloutGate`: `create` and `update` run the rollout (any input change, such as a new
 * version id, is an update; nothing is ever replaced), `read` keeps the last run (a refresh has nothing to
 * compare: the `WorkersDeployment` holds the live split), `delete` does nothing.
 */
export const rolloutGateProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: RolloutGateOutputs, news: RolloutGateInputs) {
        const keys = ["service", "accountId", "scriptName", "newVersionId", "stableVersionId", "rollbackTo", "steps", "bakeSeconds",
            "thresholds", "lowTraffic", "apiAttempts"] as const;
        const changes = keys.some((key) => JSON.stringify(olds[key] ?? null) !== JSON.stringify(news[key] ?? null));
        return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs: RolloutGateInputs) {
        return { id: `rollout-gate:${inputs.scriptName}`, outs: await runRollout(inputs) };
    },

    async update(_id: string, _olds: RolloutGateOutputs, news: RolloutGateInputs) {
        return { outs: await runRollout(news) };
    },

    async read(id: string, props: RolloutGateOutputs) {
        return { id, props };
    },

    async delete() {
        // A gate holds nothing: the WorkersDeployment owns the live split.
    },
};

/**
 * A request the gate could not complete after its attempts, or that the API refused: an `Error` named
 * `ApiFailure`. A plain function, not a subclass: the closure serializer does not carry a subclass's
 * constructor arguments to `Error`.
 */
function apiFailure(message: string): Error {
    const error = new Error(message);
    error.name = "ApiFailure";
    return error;
}

/** The environment's Cloudflare API, read at call time. */
interface Api {
    readonly base: string;
    readonly graphql: string;
    readonly token: string;
    readonly attempts: number;
}

/**
 * Runs the rollout of `inputs.newVersionId`.
 * @throws with the figures when a step breaches a threshold, when traffic stays too low (per
 *   `lowTraffic`), or when an API call fails after its attempts; traffic is sent back to the old version first.
 */
export async function runRollout(inputs: RolloutGateInputs): Promise<RolloutGateOutputs> {
    if (inputs.rollbackTo !== undefined) return { ...inputs, outcome: "suspended", windows: [] };
    const api = apiFromEnvironment(inputs);
    const live = await liveVersions(api, inputs);
    // A re-run after a change of the gate's own settings: the version is promoted already, nothing to roll out.
    if (live?.length === 1 && live[0]!.version_id === inputs.newVersionId) return { ...inputs, outcome: "already-serving", windows: [] };
    const old = inputs.stableVersionId ?? [...(live ?? [])]
        .filter((v) => v.version_id !== inputs.newVersionId)
        .sort((a, b) => b.percentage - a.percentage)[0]?.version_id;
    if (old === undefined) return { ...inputs, outcome: live === undefined ? "first-deploy" : "already-serving", windows: [] };
    if (old === inputs.newVersionId) {
        throw new Error(`Rollout gate of service ${inputs.service}: deployment.stableVersionId is ${old}, the version being rolled out; ` +
            "set it to the version that serves traffic now, or remove it. Nothing was deployed by the gate.");
    }

    const windows: StepWindow[] = [];
    const splits = inputs.steps.filter((step) => step < 100);
    for (const [index, percentage] of splits.entries()) {
        const at = `step ${index + 1} of ${splits.length} (${percentage}% to version ${inputs.newVersionId})`;
        try {
            await createDeployment(api, inputs, [
                { version_id: inputs.newVersionId, percentage },
                { version_id: old, percentage: Math.round((100 - percentage) * 100) / 100 },
            ], `pulumi up: rollout of ${inputs.service} at ${percentage}%`);
        } catch (error) {
            throw await rollBack(api, inputs, old, `Rollout gate of service ${inputs.service} could not start ${at}: ${(error as Error).message}`);
        }
        windows.push(await bakeAndJudge(api, inputs, old, percentage, at));
    }
    return { ...inputs, outcome: "promoted", oldVersionId: old, windows };
}

/** Bakes one step, reads its window (again, while traffic is too low and `wait` allows) and judges it. */
async function bakeAndJudge(api: Api, inputs: RolloutGateInputs, old: string, percentage: number, at: string): Promise<StepWindow> {
    const from = new Date();
    await sleep(inputs.bakeSeconds * 1000);
    const waitUntil = Date.now() + (inputs.lowTraffic.outcome === "wait" ? (inputs.lowTraffic.maxWaitSeconds ?? 0) * 1000 : 0);
    for (;;) {
        // At least the whole bake: a timer may fire a millisecond before Date.now() says it is due.
        const to = new Date(Math.max(Date.now(), from.getTime() + inputs.bakeSeconds * 1000));
        let figures: { newVersion: VersionFigures; oldVersion: VersionFigures };
        try {
            figures = await readWindow(api, inputs, old, from, to);
        } catch (error) {
            throw await rollBack(api, inputs, old, `Rollout gate of service ${inputs.service} stopped ${inputs.scriptName} at ${at}: ` +
                `cannot read Workers analytics: ${(error as Error).message}`);
        }
        const window: StepWindow = { percentage, from: from.toISOString(), to: to.toISOString(), ...figures, lowTraffic: false };
        const min = inputs.thresholds.minRequests;
        if (figures.newVersion.requests >= min && figures.oldVersion.requests >= min) {
            const breaches = judge(inputs.thresholds, figures.newVersion, figures.oldVersion);
            if (breaches.length === 0) return window;
            throw await rollBack(api, inputs, old, [
                `Rollout gate of service ${inputs.service} stopped ${inputs.scriptName} at ${at}:`,
                ...breaches.map((b) => `  - ${b}`),
                describeWindow(inputs, old, window),
            ].join("\n"));
        }
        if (inputs.lowTraffic.outcome === "promote") return { ...window, lowTraffic: true };
        if (inputs.lowTraffic.outcome === "wait" && Date.now() < waitUntil) {
            await sleep(Math.min(inputs.bakeSeconds * 1000, waitUntil - Date.now()));
            continue;
        }
        const waited = inputs.lowTraffic.outcome === "wait" ? ` after waiting ${inputs.lowTraffic.maxWaitSeconds} s more (lowTraffic.maxWaitSeconds)` : "";
        throw await rollBack(api, inputs, old, [
            `Rollout gate of service ${inputs.service} stopped ${inputs.scriptName} at ${at}: too little traffic to judge${waited}: ` +
            `new version ${figures.newVersion.requests} requests, old version ${figures.oldVersion.requests}, minRequests ${min} each ` +
            `(lowTraffic.outcome: ${inputs.lowTraffic.outcome}).`,
            describeWindow(inputs, old, window),
        ].join("\n"));
    }
}

/**
 * The thresholds the new version breaches, each as a sentence with its figures; empty when it meets all.
 * Error rates are `errors / requests`; the p95 check is skipped when the old version has no p95.
 */
export function judge(thresholds: RolloutGateInputs["thresholds"], next: VersionFigures, old: VersionFigures): string[] {
    const breaches: string[] = [];
    const rate = (v: VersionFigures) => (v.requests === 0 ? 0 : v.errors / v.requests);
    const newRate = rate(next);
    const oldRate = rate(old);
    if (newRate > thresholds.maxErrorRate) {
        breaches.push(`error rate ${percent(newRate)} (${next.errors} errors in ${next.requests} requests) is above maxErrorRate ${percent(thresholds.maxErrorRate)}.`);
    }
    if (newRate - oldRate > thresholds.maxErrorRateIncrease) {
        breaches.push(`error rate ${percent(newRate)} is more than maxErrorRateIncrease ${percent(thresholds.maxErrorRateIncrease)} above ` +
            `the old version's ${percent(oldRate)} (${old.errors} errors in ${old.requests} requests).`);
    }
    if (next.p95Ms !== null && old.p95Ms !== null && next.p95Ms > thresholds.maxP95Ratio * old.p95Ms) {
        const ratio = old.p95Ms === 0 ? "" : ` (${(next.p95Ms / old.p95Ms).toFixed(2)}×)`;
        breaches.push(`p95 wall time ${ms(next.p95Ms)} is above maxP95Ratio ${thresholds.maxP95Ratio} × the old version's ${ms(old.p95Ms)}${ratio}.`);
    }
    return breaches;
}

/** Both versions' figures and the window, for a failure message. */
function describeWindow(inputs: RolloutGateInputs, old: string, w: StepWindow): string {
    const line = (name: string, id: string, v: VersionFigures) =>
        `  ${name} ${id}: ${v.requests} requests, ${v.errors} errors (${percent(v.requests === 0 ? 0 : v.errors / v.requests)}), ` +
        `p95 wall time ${v.p95Ms === null ? "n/a" : ms(v.p95Ms)}`;
    return [
        `Window ${w.from} to ${w.to} (workersInvocationsAdaptive; bake ${inputs.bakeSeconds} s):`,
        line("new version", inputs.newVersionId, w.newVersion),
        line("old version", old, w.oldVersion),
    ].join("\n");
}

/**
 * Sends all traffic back to `old` and returns the error that fails the update: `message`, then where the
 * traffic is now (or, if the rollback itself failed, what to run).
 */
async function rollBack(api: Api, inputs: RolloutGateInputs, old: string, message: string): Promise<Error> {
    try {
        await createDeployment(api, inputs, [{ version_id: old, percentage: 100 }], `pulumi up: rollback of ${inputs.service} by the rollout gate`);
    } catch (error) {
        return new Error(`${message}\nRolling back FAILED: ${(error as Error).message}\n` +
            `Traffic may still reach version ${inputs.newVersionId}. Send it all to ${old} now: ` +
            `npx wrangler versions deploy ${old}@100% --name ${inputs.scriptName} --yes ` +
            "(or set deployment.rollbackTo and run `pulumi up`; docs/deploy-safety.md).");
    }
    return new Error(`${message}\nTraffic is back on version ${old} at 100%. Version ${inputs.newVersionId} stays uploaded with no traffic: ` +
        "fix it and run `pulumi up` again, or override the gate (docs/deploy-safety.md, \"Manual override\").");
}

/** The live deployment's versions; `undefined` when the Worker has no deployment (or does not exist yet). */
async function liveVersions(api: Api, inputs: RolloutGateInputs): Promise<{ version_id: string; percentage: number }[] | undefined> {
    const result = await rest<{ deployments?: { versions?: { version_id: string; percentage: number }[] }[] }>(api, "GET",
        deploymentsPath(inputs), undefined, `the current deployment of ${inputs.scriptName}`, [10007]);
    return result?.deployments?.[0]?.versions;
}

async function createDeployment(api: Api, inputs: RolloutGateInputs, versions: { version_id: string; percentage: number }[], message: string): Promise<void> {
    const split = versions.map((v) => `${v.version_id} ${v.percentage}%`).join(", ");
    await rest(api, "POST", deploymentsPath(inputs), { strategy: "percentage", versions, annotations: { "workers/message": message } },
        `a deployment of ${inputs.scriptName} (${split})`);
}

function deploymentsPath(inputs: RolloutGateInputs): string {
    return `/accounts/${encodeURIComponent(inputs.accountId)}/workers/scripts/${encodeURIComponent(inputs.scriptName)}/deployments`;
}

/** The GraphQL query of one window: both versions' requests, errors and p95 wall time. */
export const WINDOW_QUERY = `query RolloutWindow($accountTag: string!, $scriptName: string!, $datetimeStart: Time!, $datetimeEnd: Time!) {
  viewer {
    accounts(filter: { accountTag: $accountTag }) {
      workersInvocationsAdaptive(limit: 100, filter: { scriptName: $scriptName, datetime_geq: $datetimeStart, datetime_leq: $datetimeEnd }) {
        dimensions { scriptVersion }
        sum { requests errors }
        quantiles { wallTimeP95 }
      }
    }
  }
}`;

type WindowRow = { dimensions?: { scriptVersion?: string }; sum?: { requests?: number; errors?: number }; quantiles?: { wallTimeP95?: number | null } };

/** Reads both versions' figures over [from, to]. */
async function readWindow(api: Api, inputs: RolloutGateInputs, old: string, from: Date, to: Date): Promise<{ newVersion: VersionFigures; oldVersion: VersionFigures }> {
    const variables = { accountTag: inputs.accountId, scriptName: inputs.scriptName, datetimeStart: from.toISOString(), datetimeEnd: to.toISOString() };
    const body = await request<{ data?: { viewer?: { accounts?: { workersInvocationsAdaptive?: WindowRow[] }[] } } | null; errors?: { message?: string }[] | null }>(
        api, "POST", api.graphql, { query: WINDOW_QUERY, variables }, "Workers analytics");
    if (body.errors !== undefined && body.errors !== null && body.errors.length > 0) {
        throw apiFailure(`the GraphQL API answered: ${body.errors.map((e) => e.message ?? "error").join("; ")}`);
    }
    const rows = body.data?.viewer?.accounts?.[0]?.workersInvocationsAdaptive;
    if (!Array.isArray(rows)) throw apiFailure("the GraphQL API answered without viewer.accounts[0].workersInvocationsAdaptive");
    return { newVersion: figuresOf(rows, inputs.newVersionId), oldVersion: figuresOf(rows, old) };
}

/** One version's figures from the rows; the API groups by every requested dimension, so there is one row per version. */
function figuresOf(rows: readonly WindowRow[], versionId: string): VersionFigures {
    const mine = rows.filter((r) => r.dimensions?.scriptVersion === versionId);
    const requests = mine.reduce((n, r) => n + (r.sum?.requests ?? 0), 0);
    const errors = mine.reduce((n, r) => n + (r.sum?.errors ?? 0), 0);
    const p95s = mine.map((r) => r.quantiles?.wallTimeP95).filter((p): p is number => typeof p === "number");
    return { requests, errors, p95Ms: p95s.length === 0 ? null : Math.max(...p95s) / 1000 };
}

function apiFromEnvironment(inputs: RolloutGateInputs): Api {
    const token = process.env.CLOUDFLARE_API_TOKEN;
    if (!token) {
        throw new Error(`Rollout gate of service ${inputs.service} needs CLOUDFLARE_API_TOKEN in the environment of \`pulumi up\` ` +
            "(Workers Scripts Edit and Account Analytics Read); export it, e.g. export CLOUDFLARE_API_TOKEN=$(pulumi config get cloudflare:apiToken). Nothing was deployed by the gate.");
    }
    const base = (process.env.CLOUDFLARE_API_BASE_URL || "https://api.cloudflare.com/client/v4").replace(/\/+$/, "");
    return { base, graphql: process.env.CLOUDFLARE_GRAPHQL_API_URL || `${base}/graphql`, token, attempts: inputs.apiAttempts };
}

/** A Cloudflare REST call: `{ success, errors, result }`; `notFoundCodes` answer `undefined`. */
async function rest<T>(api: Api, method: "GET" | "POST", path: string, payload: unknown, what: string, notFoundCodes: number[] = []): Promise<T | undefined> {
    const body = await request<{ success?: boolean; result?: T; errors?: { code?: number; message?: string }[] }>(api, method, `${api.base}${path}`, payload, what, notFoundCodes);
    if (body.errors?.some((e) => e.code !== undefined && notFoundCodes.includes(e.code))) return undefined;
    if (body.success !== true) throw apiFailure(`${what}: ${apiErrors(body.errors) || "the API did not report success"}`);
    return body.result;
}

/**
 * One API request with retries: a failed request, HTTP 5xx and 429 are tried again up to `api.attempts` in
 * all, after `Retry-After` (at most 300 s) or 1 s, 2 s, 4 s, ... (at most 30 s). Other HTTP errors fail at
 * once, except those whose error codes are in `passCodes` (answered as they are).
 */
async function request<T>(api: Api, method: "GET" | "POST", url: string, payload: unknown, what: string, passCodes: number[] = []): Promise<T> {
    let last = "";
    for (let attempt = 1; ; attempt++) {
        let wait = Math.min(2 ** (attempt - 1), 30) * 1000;
        try {
            const response = await fetch(url, {
                method,
                headers: { authorization: `Bearer ${api.token}`, accept: "application/json", ...(payload === undefined ? {} : { "content-type": "application/json" }) },
                ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
                signal: AbortSignal.timeout(30_000),
            });
            const text = await response.text();
            let body: (T & { errors?: { code?: number; message?: string }[] }) | undefined;
            try {
                body = JSON.parse(text);
            } catch {
                body = undefined;
            }
            if (response.ok && body !== undefined) return body;
            const codes = (body?.errors ?? []).map((e) => e.code);
            if (body !== undefined && codes.some((c) => c !== undefined && passCodes.includes(c))) return body;
            last = `HTTP ${response.status}${body === undefined ? " with a body that is not JSON" : `: ${apiErrors(body.errors) || "no error message"}`}`;
            if (response.status !== 429 && response.status < 500) throw apiFailure(`${what}: ${last}`);
            const after = retryAfterMs(response.headers.get("retry-after"));
            if (after !== undefined) {
                wait = after;
                last += ` (Retry-After ${Math.round(after / 1000)} s)`;
            }
        } catch (error) {
            if ((error as Error).name === "ApiFailure") throw error;
            const cause = (error as { cause?: { message?: string } }).cause?.message;
            last = `${(error as Error).message}${cause ? ` (${cause})` : ""}`;
        }
        if (attempt >= api.attempts) {
            throw apiFailure(`${what}: ${attempt} attempt${attempt === 1 ? "" : "s"} failed (apiAttempts ${api.attempts}); last: ${last}`);
        }
        await sleep(wait);
    }
}

/** `Retry-After` in ms (delay-seconds or an HTTP date), at most 300 s; `undefined` when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
    if (header === null || header.trim() === "") return undefined;
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
    return Number.isNaN(ms) ? undefined : Math.min(Math.max(ms, 0), 300_000);
}

function apiErrors(errors: { code?: number; message?: string }[] | undefined): string {
    return (errors ?? []).map((e) => `${e.message ?? "error"}${e.code === undefined ? "" : ` [code: ${e.code}]`}`).join("; ");
}

function percent(fraction: number): string {
    return `${(fraction * 100).toFixed(2)}%`;
}

function ms(value: number): string {
    return `${value.toFixed(1)} ms`;
}

function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
