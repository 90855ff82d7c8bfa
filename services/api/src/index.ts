/**
 * The api Worker: notes (D1 + KV cache + a view counter Durable Object), files (R2 with signed download
 * links), an activity log fed by its own queue, note exports run by a Workflow, and a web UI from static
 * assets, with the platform health endpoint on the declaration's `health.path`.
 *
 * The assets answer every path except `/api/*` and `/health`, which run this Worker first (`runWorkerFirst`);
 * a path no file matches gets the UI's `index.html` (single-page application). Routes:
 * - `GET /health`: the health report (every binding, `select 1` on the database, the env contract), `200` or `503`.
 * - `POST /api/notes` `{ "body": "..." }` → `201` note (and a `note.created` message on NOTE_EVENTS);
 *   `GET /api/notes/:id` → note with its view count.
 * - `GET /api/activity[?note=<id>][&limit=<n>]` → what the NOTE_EVENTS consumer recorded, newest first.
 * - `POST /api/exports` `[{ "limit": n }]` → `202` export instance; `GET /api/exports/:id` → its status and output.
 * - `PUT /api/files/:key` (any body) → `201` with a signed link; `GET /api/files/:key?expires&signature` → the file.
 *
 * The env contract is checked on every API request before any route runs: a violation answers `500` with
 * the failing key names (never their values). Every request goes through the runtime library's
 * `withTelemetry` (`components/telemetry/`): JSON log lines carrying the request id and version, and one data
 * point in the METRICS dataset the platform binds (`telemetry: true` in `../service.ts`), by route template
 * (`/api/notes/:id`, `/health`, `assets` for the web UI).
 */
import { checkEnvContract, createHealthHandler, envContractErrorResponse } from "../../../components/health/index";
import { postgresJs } from "../../../components/health/postgres";
import { telemetryLogger, withTelemetry, type Logger } from "../../../components/telemetry/index";
import { apiEnv } from "../contract";
import declaration from "../service";
import { listActivity, recordNoteEvents } from "./activity";
import type { ApiConfig, Env } from "./env";
import { exportStatus, startExport } from "./exports";
import { getFile, putFile } from "./files";
import { problem } from "./http";
import { createNote, readNote } from "./notes";

export { Counter } from "./counter";
export { NotesExport } from "./exports";

const health = createHealthHandler(declaration, { postgres: postgresJs });

export default {
    fetch: withTelemetry(declaration, async (request, env: Env, ctx: ExecutionContext, { logger, setRoute }): Promise<Response> => {
        const url = new URL(request.url);
        if (url.pathname === declaration.health.path) setRoute(declaration.health.path);
        const healthResponse = await health(request, env);
        if (healthResponse !== undefined) return healthResponse;

        // Only /api/* and /health reach the Worker before the assets; anything else is the web UI's.
        if (!url.pathname.startsWith("/api/")) {
            setRoute("assets");
            return env.ASSETS.fetch(request);
        }

        const checked = checkEnvContract(apiEnv, env);
        if (!checked.ok) {
            logger.error("env.invalid", { keys: checked.keys });
            return envContractErrorResponse(checked);
        }
        const { route, response } = await routeApi(request, url, env, ctx, checked.data, logger);
        setRoute(route);
        return response;
    }),

    /** The NOTE_EVENTS consumer (the only queue this Worker consumes). */
    async queue(batch, env): Promise<void> {
        const checked = checkEnvContract(apiEnv, env);
        const logger = telemetryLogger(declaration, env);
        if (!checked.ok) {
            // Returning would acknowledge the messages: retry them (after maxRetries they wait in NOTE_EVENTS_DLQ).
            logger.error("env.invalid", { keys: checked.keys, queue: batch.queue });
            batch.retryAll();
            return;
        }
        await recordNoteEvents(batch, env.DB, logger);
    },
} satisfies ExportedHandler<Env>;

/** The route template of paths no route matches. */
const UNMATCHED = "unmatched";

/** The template of the route (`/api/notes/:id`) that `/api/<first>/<rest…>` matches, {@link UNMATCHED} when none does. */
function routeOf(first: string | undefined, rest: readonly string[]): string {
    if (first === "notes") return rest.length === 0 ? "/api/notes" : rest.length === 1 ? "/api/notes/:id" : UNMATCHED;
    if (first === "exports") return rest.length === 0 ? "/api/exports" : rest.length === 1 ? "/api/exports/:id" : UNMATCHED;
    if (first === "activity" && rest.length === 0) return "/api/activity";
    if (first === "files" && rest.join("/") !== "") return "/api/files/:key";
    return UNMATCHED;
}

/**
 * Answers an `/api/*` request and names the route that did (for metrics); errors become `400` (bad
 * percent-encoding) or `500`, and are logged.
 */
async function routeApi(request: Request, url: URL, env: Env, ctx: ExecutionContext, config: ApiConfig, logger: Logger): Promise<{ route: string; response: Response }> {
    const [, , first, ...rest] = url.pathname.split("/");
    const route = routeOf(first, rest);
    const method = request.method;
    try {
        // The id or key after the route's fixed part.
        const tail = decodeURIComponent(rest.join("/"));
        switch (route) {
            case "/api/notes":
                return { route, response: method === "POST" ? await createNote(request, env, config, logger) : methodNotAllowed("POST") };
            case "/api/notes/:id":
                return { route, response: method === "GET" ? await readNote(tail, env, ctx, logger) : methodNotAllowed("GET") };
            case "/api/activity":
                return { route, response: method === "GET" ? await listActivity(url, env) : methodNotAllowed("GET") };
            case "/api/exports":
                return { route, response: method === "POST" ? await startExport(request, env, logger) : methodNotAllowed("POST") };
            case "/api/exports/:id":
                return { route, response: method === "GET" ? await exportStatus(tail, env) : methodNotAllowed("GET") };
            case "/api/files/:key":
                if (method === "PUT") return { route, response: await putFile(tail, request, env, config, logger) };
                if (method === "GET") return { route, response: await getFile(tail, url, env, config) };
                return { route, response: methodNotAllowed("GET, PUT") };
            default:
                return { route, response: problem(404, "not found") };
        }
    } catch (error) {
        if (error instanceof URIError) return { route, response: problem(400, "malformed percent-encoding in the path") };
        logger.error("request.failed", { route }, error);
        return { route, response: problem(500, "internal error") };
    }
}

function methodNotAllowed(allow: string): Response {
    return problem(405, `method not allowed; use ${allow}`, { allow });
}
