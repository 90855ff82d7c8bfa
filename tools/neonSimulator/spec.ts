/**
 * Neon's OpenAPI contract, as shipped inside `@neondatabase/api-client` (`public-v2-for-users.gen.yaml`),
 * compiled into request and response validators for the simulator. OpenAPI 3.0 `nullable: true` is turned
 * into JSON Schema (`type: [t, "null"]` / `anyOf`) before Ajv sees it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";

/** One operation of the document, matched by method and path template. */
export interface SpecOperation {
    readonly method: string;
    /** `/projects/{project_id}/branches` */
    readonly template: string;
    readonly operationId: string;
    readonly pattern: RegExp;
    readonly pathParams: readonly string[];
}

/** What a validation found wrong, for the simulator's violation log. */
export interface SpecViolation {
    readonly kind: "request" | "response" | "route";
    readonly operation: string;
    readonly detail: string;
}

type Json = Record<string, unknown>;

/** Path of the OpenAPI document inside the installed package. */
export function neonOpenApiPath(): string {
    const require = createRequire(__filename);
    return path.join(path.dirname(require.resolve("@neondatabase/api-client/package.json")), "public-v2-for-users.gen.yaml");
}

/** OpenAPI 3.0 `nullable` to JSON Schema, in place over a deep copy. */
function convertNullable(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(convertNullable);
    if (typeof node !== "object" || node === null) return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node as Json)) out[key] = convertNullable(value);
    if (out.nullable === true) {
        delete out.nullable;
        if (typeof out.type === "string") {
            out.type = [out.type, "null"];
            if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
            return out;
        }
        return { anyOf: [out, { type: "null" }] };
    }
    delete out.nullable;
    return out;
}

/** The contract: operation lookup and validators. */
export class NeonSpec {
    readonly operations: SpecOperation[] = [];
    private readonly doc: Json;
    private readonly ajv: Ajv;
    private readonly cache = new Map<string, ValidateFunction>();

    constructor(file = neonOpenApiPath()) {
        this.doc = convertNullable(parse(readFileSync(file, "utf8"))) as Json;
        this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, logger: false });
        addFormats(this.ajv);
        for (const f of ["int32", "int64", "uint32", "uint64", "float", "double", "byte", "binary", "password"]) this.ajv.addFormat(f, true);
        this.ajv.addSchema({ $id: "neon", components: (this.doc as { components: Json }).components });
        for (const [template, item] of Object.entries(this.doc.paths as Record<string, Json>)) {
            for (const method of ["get", "post", "patch", "put", "delete"]) {
                const op = item[method] as Json | undefined;
                if (!op) continue;
                const pathParams: string[] = [];
                const source = "^" + template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_m, name: string) => {
                    pathParams.push(name);
                    return "([^/]+)";
                }) + "$";
                this.operations.push({ method: method.toUpperCase(), template, operationId: String(op.operationId), pattern: new RegExp(source), pathParams });
            }
        }
        // Literal segments before templated ones (`/projects/shared` before `/projects/{project_id}`).
        this.operations.sort((a, b) => a.pathParams.length - b.pathParams.length);
    }

    /** The operation a request addresses, and its path parameters. */
    match(method: string, pathname: string): { operation: SpecOperation; params: Record<string, string> } | undefined {
        for (const operation of this.operations) {
            if (operation.method !== method) continue;
            const m = operation.pattern.exec(pathname);
            if (!m) continue;
            const params: Record<string, string> = {};
            operation.pathParams.forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1]!); });
            return { operation, params };
        }
        return undefined;
    }

    private op(operation: SpecOperation): Json {
        return (this.doc.paths as Record<string, Record<string, Json>>)[operation.template]![operation.method.toLowerCase()]!;
    }

    /** Rewrites the document's `#/components/...` refs to the registered `neon#/components/...`. */
    private compile(key: string, schema: unknown): ValidateFunction {
        let v = this.cache.get(key);
        if (!v) {
            const rewritten = JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"neon#/'));
            v = this.ajv.compile(rewritten);
            this.cache.set(key, v);
        }
        return v;
    }

    private resolve<T>(node: T | { $ref: string }): T {
        let cur: unknown = node;
        while (typeof cur === "object" && cur !== null && "$ref" in cur) {
            const parts = String((cur as { $ref: string }).$ref).replace(/^#\//, "").split("/");
            cur = parts.reduce<unknown>((acc, p) => (acc as Json)[p], this.doc);
        }
        return cur as T;
    }

    /** Problems of a request: path and query parameters, and the JSON body. */
    validateRequest(operation: SpecOperation, pathParams: Record<string, string>, query: URLSearchParams, body: unknown): string[] {
        const op = this.op(operation);
        const problems: string[] = [];
        const params = ((op.parameters as unknown[] | undefined) ?? []).map((p) => this.resolve(p as Json));
        for (const p of params) {
            const name = String(p.name);
            const raw = p.in === "path" ? pathParams[name] : p.in === "query" ? query.get(name) ?? undefined : undefined;
            if (p.in !== "path" && p.in !== "query") continue;
            if (raw === undefined) {
                if (p.required) problems.push(`missing ${p.in} parameter ${name}`);
                continue;
            }
            const schema = p.schema as Json;
            const type = (this.resolve(schema) as Json).type;
            const value = type === "integer" || type === "number" ? Number(raw) : type === "boolean" ? (raw === "true" ? true : raw === "false" ? false : raw) : raw;
            const v = this.compile(`${operation.operationId}:param:${name}`, schema);
            if (!v(value)) problems.push(`${p.in} parameter ${name}=${JSON.stringify(raw)}: ${this.ajv.errorsText(v.errors)}`);
        }
        const known = new Set(params.filter((p) => p.in === "query").map((p) => String(p.name)));
        for (const name of query.keys()) if (!known.has(name)) problems.push(`unknown query parameter ${name}`);
        const requestBody = op.requestBody ? this.resolve(op.requestBody as Json) : undefined;
        const schema = (requestBody?.content as Record<string, { schema?: unknown }> | undefined)?.["application/json"]?.schema;
        if (schema) {
            if (body === undefined) {
                if (requestBody!.required) problems.push("missing JSON body");
            } else {
                const v = this.compile(`${operation.operationId}:body`, schema);
                if (!v(body)) problems.push(`body: ${this.ajv.errorsText(v.errors, { dataVar: "body" })}`);
            }
        } else if (body !== undefined) {
            problems.push("a body where the operation takes none");
        }
        return problems;
    }

    /** Problems of a response: its status must be documented (or `default`) and its body match. */
    validateResponse(operation: SpecOperation, status: number, body: unknown): string[] {
        const responses = this.op(operation).responses as Record<string, unknown>;
        const declared = responses[String(status)] ?? responses.default;
        if (!declared) return [`status ${status} is not documented`];
        const response = this.resolve(declared as Json);
        const schema = (response.content as Record<string, { schema?: unknown }> | undefined)?.["application/json"]?.schema;
        if (!schema) return body === undefined ? [] : [`status ${status} documents no body`];
        const key = `${operation.operationId}:${responses[String(status)] ? status : "default"}`;
        const v = this.compile(key, schema);
        return v(body) ? [] : [`${status} body: ${this.ajv.errorsText(v.errors, { dataVar: "response" })}`];
    }
}
