/**
 * Files on R2: `PUT /api/files/:key` stores the body and returns a signed download link;
 * `GET /api/files/:key?expires=…&signature=…` serves it when the link is valid. Links are signed with
 * HMAC-SHA256 under `SIGNING_KEY` over `<key>\n<expires>`.
 */
import type { ApiConfig, Env } from "./env";
import type { Logger } from "../../../components/telemetry/index";
import { json, problem } from "./http";

/** Largest file accepted, in bytes (10 MiB). */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** How long a download link is valid, in seconds. */
export const LINK_TTL_SECONDS = 3600;

const FILE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Whether `key` is an acceptable object key: 1–512 characters, path segments of letters, digits, `.`, `_`, `-`. */
export function isFileKey(key: string): boolean {
    return key.length <= 512 && FILE_KEY.test(key);
}

/** A signed download link of a stored object, valid for {@link LINK_TTL_SECONDS}. */
export interface SignedLink {
    /** `<PUBLIC_BASE_URL>/api/files/<key>?expires=…&signature=…`. */
    readonly url: string;
    /** When the link stops working, ISO 8601 UTC. */
    readonly expiresAt: string;
}

/** A signed download link for the object `key` (which must pass {@link isFileKey}), valid from now. */
export async function signedLink(key: string, config: Pick<ApiConfig, "PUBLIC_BASE_URL" | "SIGNING_KEY">): Promise<SignedLink> {
    const expires = Math.floor(Date.now() / 1000) + LINK_TTL_SECONDS;
    const url = new URL(`/api/files/${key}`, config.PUBLIC_BASE_URL);
    url.searchParams.set("expires", String(expires));
    url.searchParams.set("signature", await sign(config.SIGNING_KEY, key, expires));
    return { url: url.toString(), expiresAt: new Date(expires * 1000).toISOString() };
}

/** `PUT /api/files/:key` → `201 { key, size, etag, url }`, `url` being a signed download link. */
export async function putFile(key: string, request: Request, env: Env, config: ApiConfig, logger: Logger): Promise<Response> {
    if (!isFileKey(key)) return problem(400, "expected a key of letters, digits, '.', '_', '-' and '/' separated segments");
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > MAX_FILE_BYTES) return problem(413, `files are limited to ${MAX_FILE_BYTES} bytes`);
    const body = await request.arrayBuffer();
    if (body.byteLength > MAX_FILE_BYTES) return problem(413, `files are limited to ${MAX_FILE_BYTES} bytes`);
    const contentType = request.headers.get("content-type") ?? "application/octet-stream";
    const object = await env.FILES.put(key, body, { httpMetadata: { contentType } });
    const { url } = await signedLink(key, config);
    logger.info("file.stored", { key, size: object.size });
    return json({ key, size: object.size, etag: object.httpEtag, url }, 201);
}

/** `GET /api/files/:key?expires=…&signature=…` → the file, `403` for a missing, expired or wrong signature. */
export async function getFile(key: string, url: URL, env: Env, config: ApiConfig): Promise<Response> {
    if (!isFileKey(key)) return problem(404, "no such file");
    const expires = Number(url.searchParams.get("expires"));
    const signature = url.searchParams.get("signature") ?? "";
    if (!Number.isInteger(expires) || expires < Date.now() / 1000 || !(await verify(config.SIGNING_KEY, key, expires, signature))) {
        return problem(403, "expected a valid, unexpired signed link (from PUT /api/files/:key)");
    }
    const object = await env.FILES.get(key);
    if (object === null) return problem(404, "no such file");
    const headers = new Headers();
    object.writeHttpMetadata(headers);
    headers.set("etag", object.httpEtag);
    return new Response(object.body, { headers });
}

async function hmacKey(secret: string): Promise<CryptoKey> {
    return crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

async function sign(secret: string, key: string, expires: number): Promise<string> {
    const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(`${key}\n${expires}`));
    return toBase64Url(new Uint8Array(mac));
}

async function verify(secret: string, key: string, expires: number, signature: string): Promise<boolean> {
    const mac = fromBase64Url(signature);
    if (mac === undefined) return false;
    // crypto.subtle.verify compares in constant time.
    return crypto.subtle.verify("HMAC", await hmacKey(secret), mac, new TextEncoder().encode(`${key}\n${expires}`));
}

function toBase64Url(bytes: Uint8Array): string {
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | undefined {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(text)) return undefined;
    try {
        const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
        return Uint8Array.from(binary, (c) => c.charCodeAt(0));
    } catch {
        return undefined;
    }
}
