/**
 * The Neon API simulator's contract checks are not vacuous: a request or a response that breaks the
 * OpenAPI document shipped in `@neondatabase/api-client` is caught, and simulated semantics hold.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NeonSpec, startNeonSimulator, type NeonSimulator } from "./helpers/neonSimulator";

const KEY = "napi_simulator_test";
let sim: NeonSimulator;
const spec = new NeonSpec();

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${sim.baseUrl}${path}`, {
        method, headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

beforeAll(async () => {
    sim = await startNeonSimulator({ apiKey: KEY, operationMs: { default: 200 }, rateLimit: { requests: 30, windowMs: 2000 } });
});
afterAll(async () => { await sim?.stop(); });

describe("the contract", () => {
    it("is the document shipped in the package, with the endpoints the providers call", () => {
        for (const id of ["createProjectBranch", "getProjectOperation", "listProjectBranches", "createProjectEndpoint", "createProjectBranchRole", "getProjectBranchRolePassword", "createProjectBranchDatabase"]) {
            expect(spec.operations.some((o) => o.operationId === id)).toBe(true);
        }
    });

    it("rejects requests that break it, and records the violation", async () => {
        const before = sim.violations.length;
        const bad = await call("POST", "/projects", { project: { name: "" } });
        expect(bad.status).toBe(400);
        expect(bad.body.message).toMatch(/body\/project\/name must NOT have fewer than 1 characters/);
        expect((await call("GET", "/projects?no_such_param=1")).status).toBe(400);
        expect((await call("GET", "/no/such/route")).status).toBe(404);
        expect(sim.violations.slice(before).map((v) => v.kind)).toEqual(["request", "request", "route"]);
        sim.violations.length = 0;
    });

    it("catches responses that break it", () => {
        const op = spec.match("GET", "/projects/p-1/branches/br-1")!.operation;
        expect(spec.validateResponse(op, 200, { branch: { id: "br-1" }, annotation: { object: { type: "console/branch", id: "br-1" }, value: {} } }).join()).toMatch(/must have required property 'project_id'/);
        expect(spec.validateResponse(op, 404, { message: "not found" }).join()).toMatch(/must have required property 'code'/);
    });
});

describe("semantics", () => {
    it("runs a project's operations one after another and answers 423 to a mutation meanwhile", async () => {
        const created = await call("POST", "/projects", { project: { name: "sem", region_id: "aws-us-east-2", pg_version: 17 } });
        expect(created.status).toBe(201);
        const ops = created.body.operations as { id: string; status: string }[];
        expect(ops.map((o) => o.status)).toEqual(["running", "scheduling"]);
        const locked = await call("POST", `/projects/${created.body.project.id}/branches`, { branch: { name: "x" } });
        expect(locked.status).toBe(423);
        await new Promise((r) => setTimeout(r, 450));
        const op = await call("GET", `/projects/${created.body.project.id}/operations/${ops[1]!.id}`);
        expect(op.body.operation.status).toBe("finished");
        expect((await call("POST", `/projects/${created.body.project.id}/branches`, { branch: { name: "x" } })).status).toBe(201);
    });

    it("answers 429 with Retry-After over the rate limit", async () => {
        let limited: Awaited<ReturnType<typeof call>> | undefined;
        for (let i = 0; i < 40 && !limited; i++) {
            const r = await call("GET", "/projects");
            if (r.status === 429) limited = r;
        }
        expect(limited?.headers.get("retry-after")).toMatch(/^[12]$/);
        expect(sim.violations).toEqual([]);
    });
});
