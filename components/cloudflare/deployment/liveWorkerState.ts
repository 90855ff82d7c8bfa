/**
 * Reads of a Worker's live state that a deploy depends on, made by the program itself (a data-source
 * read) while `pulumi preview` / `pulumi up` runs, so every run sees the state of that moment:
 *
 * - the script's Durable Object migration tag, read as wrangler 4.86 reads it (`getMigrationsToUpload`,
 *   workers-sdk `packages/wrangler/src/durable.ts`): `GET /accounts/{account_id}/workers/scripts` and the
 *   entry whose `id` is the script name, field `migration_tag`; no entry → first deploy.
 *   https://developers.cloudflare.com/api/resources/workers/subresources/scripts/methods/list/
 * - the script's current deployment: `GET /accounts/{account_id}/workers/scripts/{script_name}/deployments`,
 *   the first entry of `deployments` ("the latest deployment actively serving traffic"); 404 / code 10007
 *   → no script yet.
 *   https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/list/
 *
 * The token comes from `CLOUDFLARE_API_TOKEN` and the origin from `CLOUDFLARE_API_BASE_URL` (default
 * `https://api.cloudflare.com/client/v4`), the variables wrangler reads. Without a token a preview skips
 * the read (the caller says what it assumes instead); `pulumi up` fails, because guessing could upload
 * migrations the live script already has. The offline plan (mock engine) never reads.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { UserError } from "../../validation";

/** The outcome of a live read: the value, or why it was skipped (preview without a token). */
export type LiveRead<T> =
    /** The API answered. */
    | { readonly status: "read"; readonly value: T }
    /** Not read: a preview without `CLOUDFLARE_API_TOKEN`. */
    | { readonly status: "skipped"; readonly reason: string };

/** One version of a deployment and the share of traffic it gets, in percent (0.01–100). */
export interface LiveDeploymentVersion {
    readonly versionId: string;
    readonly percentage: number;
}

/** Where and how to read; defaults are the running program's. */
export interface LiveReadContext {
    /** Environment to take `CLOUDFLARE_API_TOKEN` / `CLOUDFLARE_API_BASE_URL` from. @default process.env */
    readonly env?: NodeJS.ProcessEnv;
    /** Whether this is a preview. @default pulumi.runtime.isDryRun() */
    readonly dryRun?: boolean;
    /**
     * Whether the program runs under the SDK's mock engine (the offline plan). Offline runs never read live
     * state, token or not, unless `PLATFORM_OFFLINE_LIVE_READS=1` (tests set it, with a local stand-in API).
     * @default detected from the SDK's monitor
     */
    readonly offline?: boolean;
}

/** Name of the variable that lets an offline (mocked) run read live state; for tests with a local stand-in. */
export const OFFLINE_LIVE_READS_VARIABLE = "PLATFORM_OFFLINE_LIVE_READS";

/**
 * The live script's Durable Object migration tag.
 * @returns `value: undefined` when the script does not exist or has no tag (first deploy).
 * @throws during `pulumi up` without `CLOUDFLARE_API_TOKEN`, and on any API or network error.
 */
export async function readLiveMigrationTag(accountId: string, scriptName: string, context: LiveReadContext = {}): Promise<LiveRead<string | undefined>> {
    const api = apiFor(context, `the live Durable Object migration tag of ${scriptName}`);
    if (api.status === "skipped") return api;
    const scripts = await api.get<{ id?: string; migration_tag?: string }[]>(`/accounts/${encodeURIComponent(accountId)}/workers/scripts`);
    const script = (scripts ?? []).find((s) => s.id === scriptName);
    return { status: "read", value: script?.migration_tag || undefined };
}

/**
 * The versions and percentages of the script's current deployment.
 * @returns `value: undefined` when the script does not exist yet.
 * @throws during `pulumi up` without `CLOUDFLARE_API_TOKEN`, and on any API or network error.
 */
export async function readLiveDeployment(accountId: string, scriptName: string, context: LiveReadContext = {}): Promise<LiveRead<LiveDeploymentVersion[] | undefined>> {
    const api = apiFor(context, `the current deployment of ${scriptName}`);
    if (api.status === "skipped") return api;
    const result = await api.get<{ deployments?: { versions?: { version_id: string; percentage: number }[] }[] }>(
        `/accounts/${encodeURIComponent(accountId)}/workers/scripts/${encodeURIComponent(scriptName)}/deployments`,
        // 10007: "This Worker does not exist on your account."
        [10007],
    );
    const latest = result?.deployments?.[0];
    return { status: "read", value: latest?.versions?.map((v) => ({ versionId: v.version_id, percentage: v.percentage })) };
}

/** A deploy-time error the operator can fix; printed without a stack trace. */
export class LiveReadError extends UserError {
    constructor(message: string) {
        super(message);
        this.name = "LiveReadError";
    }
}

type Api = { status: "ready"; get<T>(path: string, notFoundCodes?: number[]): Promise<T | undefined> } | { status: "skipped"; reason: string };

function apiFor(context: LiveReadContext, what: string): Api {
    const env = context.env ?? process.env;
    const dryRun = context.dryRun ?? pulumi.runtime.isDryRun();
    const offline = context.offline ?? pulumi.runtime.getMonitor() instanceof MockMonitor;
    if (offline && env[OFFLINE_LIVE_READS_VARIABLE] !== "1") {
        return { status: "skipped", reason: `the offline plan never calls the Cloudflare API, so ${what} was not read` };
    }
    const token = env.CLOUDFLARE_API_TOKEN;
    if (!token) {
        if (dryRun) return { status: "skipped", reason: `CLOUDFLARE_API_TOKEN is not set, so ${what} was not read` };
        throw new LiveReadError(`pulumi up needs CLOUDFLARE_API_TOKEN in its environment to read ${what} ` +
            "(Workers Scripts Read); export it, e.g. export CLOUDFLARE_API_TOKEN=$(pulumi config get cloudflare:apiToken)");
    }
    const base = (env.CLOUDFLARE_API_BASE_URL || "https://api.cloudflare.com/client/v4").replace(/\/+$/, "");
    return {
        status: "ready",
        async get<T>(path: string, notFoundCodes: number[] = []): Promise<T | undefined> {
            let response: Response;
            try {
                response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
            } catch (error) {
                throw new LiveReadError(`Cannot read ${what} from ${base}: ${(error as Error).message}`);
            }
            const text = await response.text();
            let body: { success?: boolean; result?: T; errors?: { code?: number; message?: string }[] };
            try {
                body = JSON.parse(text);
            } catch {
                throw new LiveReadError(`Cannot read ${what}: HTTP ${response.status} with a body that is not JSON`);
            }
            if (body.errors?.some((e) => e.code !== undefined && notFoundCodes.includes(e.code))) return undefined;
            if (!response.ok || body.success !== true) {
                const errors = (body.errors ?? []).map((e) => `${e.message ?? "error"} [code: ${e.code ?? "?"}]`).join("; ");
                throw new LiveReadError(`Cannot read ${what}: ${errors || `HTTP ${response.status}`}`);
            }
            return body.result;
        },
    };
}
