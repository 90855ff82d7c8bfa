/**
 * Fault soak: more than 200 mixed lifecycle calls of the serialized Branch and Endpoint providers against
 * the simulator while 20% of requests fail (500, 503, resets before and after Neon applied them, slow
 * answers past the client's time-out). A call that still fails is run again, as a user re-runs
 * `pulumi up`. In the end Neon holds exactly the declared branches: none twice, none orphaned, each with
 * its one endpoint at the declared size; and every request and response was spec-valid.
 */
import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BranchOutputs, EndpointOutputs, ProjectOutputs } from "../components/neon";
import { NEON_BRANCH_TYPE, NEON_ENDPOINT_TYPE, NEON_PROJECT_TYPE } from "../components/neon/typeTokens";
import { seeded } from "../tools/neonSimulator/server";
import { neonProviderEnv, snapshotEnv, startNeonSimulator, type NeonSimulator } from "./helpers/neonSimulator";
import { loadSerializedProvider, serializeNeonProviders } from "./helpers/neonSimulatorSerialize";

const KEY = `napi_${randomBytes(12).toString("hex")}`;
const OPERATIONS = 220;
const FAULT_RATE = 0.2;
const SEED = 20260421;

let sim: NeonSimulator;
let projectP: pulumi.dynamic.ResourceProvider;
let branchP: pulumi.dynamic.ResourceProvider;
let endpointP: pulumi.dynamic.ResourceProvider;
const restoreEnv = snapshotEnv();

beforeAll(async () => {
    const [serialized, simulator] = await Promise.all([
        serializeNeonProviders(),
        startNeonSimulator({ apiKey: KEY, operationMs: { default: 5 }, rateLimit: false }),
    ]);
    sim = simulator;
    projectP = loadSerializedProvider(serialized.providers[NEON_PROJECT_TYPE]!);
    branchP = loadSerializedProvider(serialized.providers[NEON_BRANCH_TYPE]!);
    endpointP = loadSerializedProvider(serialized.providers[NEON_ENDPOINT_TYPE]!);
    Object.assign(process.env, neonProviderEnv(sim.baseUrl, KEY, { retryBaseMs: 10, pollMinMs: 5, pollMaxMs: 50, deadlineSeconds: 10, requestTimeoutMs: 150 }));
}, 60_000);

afterAll(async () => {
    restoreEnv();
    await sim?.stop();
});

describe("fault soak", () => {
    it(`${OPERATIONS} mixed operations with ${FAULT_RATE * 100}% injected faults converge to the declared state`, async () => {
        const project = (await projectP.create!({ name: "soak", regionId: "aws-us-east-2", pgVersion: 17 })).outs as ProjectOutputs;
        sim.setFaults({ rate: FAULT_RATE, seed: SEED, slowMs: 300 });
        const random = seeded(SEED + 1);
        const names = Array.from({ length: 8 }, (_, i) => `pr-${i}`);
        /** What Pulumi's state would hold, per branch name. */
        const state = new Map<string, { branch: BranchOutputs; endpoint?: EndpointOutputs; maxCu: number }>();
        let calls = 0;
        let reruns = 0;
        const counts: Record<string, number> = {};
        /** One provider call; if it still fails after its own retries, run it again (a new `pulumi up`). */
        const run = async <T>(kind: string, call: () => Promise<T>): Promise<T> => {
            calls += 1;
            counts[kind] = (counts[kind] ?? 0) + 1;
            for (let attempt = 1; ; attempt++) {
                try {
                    return await call();
                } catch (error) {
                    if (attempt >= 5) throw error;
                    reruns += 1;
                }
            }
        };
        const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

        while (calls < OPERATIONS) {
            const name = pick(names);
            const held = state.get(name);
            if (!held) {
                const maxCu = pick([0.5, 1, 2]);
                const branch = (await run("create branch", () => branchP.create!({ projectId: project.projectId, name }))).outs as BranchOutputs;
                state.set(name, { branch, maxCu });
                const endpoint = (await run("create endpoint", () => endpointP.create!({ projectId: project.projectId, branchId: branch.branchId, type: "read_write", minCu: 0.25, maxCu }))).outs as EndpointOutputs;
                state.set(name, { branch, endpoint, maxCu });
                continue;
            }
            const action = pick(["update", "update", "read", "adopt", "delete"] as const);
            const inputs = { projectId: project.projectId, branchId: held.branch.branchId, type: "read_write" as const, minCu: 0.25 };
            if (action === "update") {
                const maxCu = pick([0.5, 1, 2, 4].filter((cu) => cu !== held.maxCu));
                const diff = await endpointP.diff!(held.endpoint!.endpointId, held.endpoint!, { ...inputs, maxCu });
                expect(diff).toMatchObject({ changes: true, replaces: [] });
                const endpoint = (await run("update endpoint", () => endpointP.update!(held.endpoint!.endpointId, held.endpoint!, { ...inputs, maxCu }))).outs as EndpointOutputs;
                state.set(name, { ...held, endpoint, maxCu });
            } else if (action === "read") {
                const read = await run("read branch", () => branchP.read!(held.branch.branchId, held.branch));
                expect(read.id).toBe(held.branch.branchId);
                const readE = await run("read endpoint", () => endpointP.read!(held.endpoint!.endpointId, held.endpoint!));
                expect(readE.props).toMatchObject({ maxCu: held.maxCu });
            } else if (action === "adopt") {
                // The state was lost (an interrupted `pulumi up`): create again must find the same branch.
                const again = await run("create branch (adopt)", () => branchP.create!({ projectId: project.projectId, name }));
                expect(again.id).toBe(held.branch.branchId);
                const againE = await run("create endpoint (adopt)", () => endpointP.create!({ ...inputs, maxCu: held.maxCu }));
                expect(againE.id).toBe(held.endpoint!.endpointId);
            } else {
                await run("delete endpoint", () => endpointP.delete!(held.endpoint!.endpointId, held.endpoint!));
                await run("delete branch", () => branchP.delete!(held.branch.branchId, held.branch));
                state.delete(name);
            }
        }
        sim.setFaults(undefined);

        const faults = sim.requests.filter((r) => r.fault !== undefined);
        const faultKinds = [...new Set(faults.map((r) => r.fault))].sort();
        console.info(`soak: ${calls} provider calls (${JSON.stringify(counts)}), ${sim.requests.length} requests, ` +
            `${faults.length} faults (${faultKinds.join(", ")}), ${reruns} re-runs`);
        expect(calls).toBeGreaterThanOrEqual(200);
        expect(faults.length / sim.requests.length).toBeGreaterThan(0.15);
        expect(faultKinds).toEqual(["500", "503", "reset", "reset-after", "slow"]);

        // Neon holds exactly the declared branches, each once, each the one in state.
        const branches = [...sim.state.branches.values()].filter((b) => b.project_id === project.projectId && !b.default);
        expect(branches.map((b) => b.name).sort()).toEqual([...state.keys()].sort());
        for (const [name, held] of state) {
            const same = branches.filter((b) => b.name === name);
            expect(same.map((b) => b.id)).toEqual([held.branch.branchId]);
            const endpoints = [...sim.state.endpoints.values()].filter((e) => e.branch_id === held.branch.branchId);
            expect(endpoints.map((e) => [e.id, e.max])).toEqual([[held.endpoint!.endpointId, held.maxCu]]);
        }
        // No endpoint outside the declared branches (the default branch keeps the project's own).
        const declared = new Set([...state.values()].map((h) => h.branch.branchId).concat(project.defaultBranchId));
        expect([...sim.state.endpoints.values()].filter((e) => !declared.has(e.branch_id))).toEqual([]);
        expect(sim.violations).toEqual([]);
    }, 120_000);
});
