/**
 * Small HTTP helpers shared by the api Worker's routes.
 */

/** A JSON response (`content-type: application/json`). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json; charset=utf-8", ...headers },
    });
}

/** A JSON error response: `{ "error": message }`. */
export function problem(status: number, message: string, headers: Record<string, string> = {}): Response {
    return json({ error: message }, status, headers);
}
