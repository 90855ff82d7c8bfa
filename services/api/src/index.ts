/**
 * The api Worker: notes (D1 + KV cache + a view counter Durable Object) and files (R2 with signed
 * download links), with the platform health endpoint on the declaration's `health.path`.
 *
 * Routes:
 * - `GET /health`: the health report (every binding, `select 1` on the database, the env contract), `200` or `503`.
 * - `POST /notes` `{ "body": "..." }` → `201` note; `GET /notes/:id` → note with its view count.
 * - `PUT /files/:key` (any body) → `201` with a signed link; `GET /files/:key?expires&signature` → the file.
 *
 * The env contract is checked on every request before any route runs: a violation answers `500` with
 * the failing key names (never their values).
 */
import { checkEnvContract, createHealthHandler, envContractErrorResponse, errorMessage } from "../../../components/health/index";
import { postgresJs } from "../../../components/health/postgres";
import { apiEnv } from "../contract";
import declaration from "../service";
import type { Env } from "./env";
import { getFile, putFile } from "./files";
import { createLogger, problem } from "./http";
import { createNote, readNote } from "./notes";

export { Counter } from "./counter";

const health = createHealthHandler(declaration, { postgres: postgresJs });

export default {
    async fetch(request, env, ctx): Promise<Response> {
        const healthResponse = await health(request, env);
        if (healthResponse !== undefined) return healthResponse;

        const checked = checkEnvContract(apiEnv, env);
        if (!checked.ok) {
            console.error(JSON.stringify({ level: "error", event: "env.invalid", keys: checked.keys }));
            return envContractErrorResponse(checked);
        }
        const config = checked.data;
        const logger = createLogger(config.LOG_LEVEL);
        const url = new URL(request.url);
        const [, first, ...rest] = url.pathname.split("/");
        try {
            const tail = decodeURIComponent(rest.join("/"));
            if (first === "notes" && rest.length === 0) {
                return request.method === "POST" ? await createNote(request, env, config, logger) : methodNotAllowed("POST");
            }
            if (first === "notes" && rest.length === 1) {
                return request.method === "GET" ? await readNote(tail, env, ctx, logger) : methodNotAllowed("GET");
            }
            if (first === "files" && tail !== "") {
                if (request.method === "PUT") return await putFile(tail, request, env, config, logger);
                if (request.method === "GET") return await getFile(tail, url, env, config);
                return methodNotAllowed("GET, PUT");
            }
            return problem(404, "not found");
        } catch (error) {
            if (error instanceof URIError) return problem(400, "malformed percent-encoding in the path");
            logger.log("error", "request.failed", { path: url.pathname, error: errorMessage(error) });
            return problem(500, "internal error");
        }
    },
} satisfies ExportedHandler<Env>;

function methodNotAllowed(allow: string): Response {
    return problem(405, `method not allowed; use ${allow}`, { allow });
}
