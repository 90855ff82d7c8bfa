/**
 * Note exports, a Workflow (`EXPORTS`, class {@link NotesExport}): `POST /api/exports` starts an instance,
 * which writes the notes to R2 as JSON and then signs a download link for the file; `GET /api/exports/:id`
 * reports the instance's status and, once complete, its output with the link. Each step's result is kept by
 * the Workflow, so a retried or resumed instance does not write the file again.
 */
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";
import { z } from "zod";
import { checkEnvContract, errorMessage } from "../../../components/health/index";
import { apiEnv } from "../contract";
import type { Env } from "./env";
import { signedLink, type SignedLink } from "./files";
import { json, problem } from "./http";
import type { Logger } from "../../../components/telemetry/index";

/** Most notes one export holds (notes are at most 10,000 characters, so at most about 10 MB). */
export const MAX_EXPORT_NOTES = 1000;

/** The params of an export instance. */
export interface ExportParams {
    /** Most notes to export, the oldest first, 1 to {@link MAX_EXPORT_NOTES}. @default MAX_EXPORT_NOTES */
    readonly limit?: number;
}

/** What a completed export instance outputs. */
export interface ExportResult extends SignedLink {
    /** The R2 key of the file, `exports/<instance id>.json`. */
    readonly key: string;
    /** Notes in the file. */
    readonly notes: number;
    /** Size of the file, in bytes. */
    readonly bytes: number;
}

const exportInput = z.object({ limit: z.number().int().min(1).max(MAX_EXPORT_NOTES).optional() });
const INSTANCE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Exports the notes created up to the moment the instance was started, in two steps: write
 * `exports/<instance id>.json` to R2, then sign a download link for it (served by `GET /api/files/:key`).
 */
export class NotesExport extends WorkflowEntrypoint<Env, ExportParams> {
    override async run(event: Readonly<WorkflowEvent<ExportParams>>, step: WorkflowStep): Promise<ExportResult> {
        // The instance's start time bounds the export, so a retried step exports the same notes.
        const until = new Date(event.timestamp).toISOString();
        const limit = event.payload.limit ?? MAX_EXPORT_NOTES;
        const key = `exports/${event.instanceId}.json`;
        const written = await step.do("write export", async () => {
            const { results } = await this.env.DB.prepare(
                "SELECT id, body, created_at AS createdAt FROM notes WHERE created_at <= ?1 ORDER BY created_at, id LIMIT ?2",
            ).bind(until, limit).all<{ id: string; body: string; createdAt: string }>();
            const body = JSON.stringify({ exportedAt: until, notes: results });
            const object = await this.env.FILES.put(key, body, { httpMetadata: { contentType: "application/json" } });
            return { key, notes: results.length, bytes: object.size };
        });
        const link = await step.do("sign download link", async () => {
            const checked = checkEnvContract(apiEnv, this.env);
            // A broken env contract does not mend itself between retries.
            if (!checked.ok) throw new NonRetryableError(`env contract violated: ${checked.keys.join(", ")}`);
            return signedLink(key, checked.data);
        });
        return { ...written, ...link };
    }
}

/** `POST /api/exports` with an optional `{ "limit": n }` → `202 { id, status }`, `location` the status URL. */
export async function startExport(request: Request, env: Env, logger: Logger): Promise<Response> {
    const text = await request.text();
    let input: unknown = {};
    try {
        if (text.trim() !== "") input = JSON.parse(text);
    } catch {
        return problem(400, "expected no body or a JSON body such as {\"limit\": 100}");
    }
    const parsed = exportInput.safeParse(input);
    if (!parsed.success) return problem(400, `expected {"limit": integer from 1 to ${MAX_EXPORT_NOTES}} or no body`);
    const instance = await env.EXPORTS.create({ params: parsed.data });
    logger.info("export.started", { id: instance.id });
    const location = `/api/exports/${instance.id}`;
    return json({ id: instance.id, status: "queued", href: location }, 202, { location });
}

/** `GET /api/exports/:id` → `{ id, status, output?, error? }` (`output` is an {@link ExportResult}), `404` for an unknown id. */
export async function exportStatus(id: string, env: Env): Promise<Response> {
    if (!INSTANCE_ID.test(id)) return problem(404, "no such export");
    let instance: WorkflowInstance;
    try {
        instance = await env.EXPORTS.get(id);
    } catch (error) {
        // The message the Workflows binding gives for an id it does not know (see checkWorkflow in components/health).
        if (/\binstance\.not_found\b/.test(errorMessage(error))) return problem(404, "no such export");
        throw error;
    }
    const { status, output, error } = await instance.status();
    return json({ id, status, ...(output === undefined ? {} : { output }), ...(error === undefined ? {} : { error }) });
}
