/**
 * Neon bench: time to create 10 branches, each with what a Worker needs (branch → read_write endpoint →
 * role → database), all 10 chains started at once as `pulumi up` would, with the serialized providers
 * and their production pacing defaults, against the Neon API simulator with simulated operation latency.
 *
 *   node --import tsx bench/neonBranches.ts [--branches 10] [--scale 1]
 *
 * Prints a table and one line `BENCH_RESULT {json}`:
 * - `ratio`: wall time / the minimum possible, the sum of the operations' durations (Neon runs a
 *   project's operations one at a time, so they cannot overlap). Target < 1.15.
 * - `requestsPerBranch`: API requests per branch chain (4 resources).
 * - Request rate against Neon's limit, 700 requests per minute per account with bursts up to 40 per
 *   second per route (https://api-docs.neon.tech/reference/api-rate-limiting): `peakRequestsPerMinute`
 *   (most requests in any 60 s window; the run is shorter than a minute, so also
 *   `sustainedRequestsPerMinute`, the run's average rate per minute, which must stay under 700) and
 *   `peakRequestsPerSecond` (any 1 s window; under 40). The simulator enforces 700/min too, so any `429`
 *   would show in `status429`.
 * Exit code 1 when a target is missed.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { NEON_BRANCH_TYPE, NEON_DATABASE_TYPE, NEON_ENDPOINT_TYPE, NEON_PROJECT_TYPE, NEON_ROLE_TYPE } from "../components/neon/typeTokens";
import { startNeonSimulator } from "../tools/neonSimulator/server";
import { loadSerializedProvider, serializeNeonProviders } from "../test/helpers/neonSimulatorSerialize";

const RATIO_TARGET = 1.15;
const RATE_LIMIT_PER_MINUTE = 700;
const BURST_PER_SECOND = 40;

function peak(times: readonly number[], windowMs: number): number {
    let best = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
        while (times[end]! - times[start]! >= windowMs) start++;
        best = Math.max(best, end - start + 1);
    }
    return best;
}

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { branches: { type: "string", default: "10" }, scale: { type: "string", default: "1" } } });
    const count = Number(values.branches);
    const scale = Number(values.scale);
    // Simulated operation latency, in ms (Neon's take seconds; scaled down to keep the bench short).
    const operationMs = { create_branch: 600 * scale, start_compute: 400 * scale, apply_config: 200 * scale, default: 300 * scale };
    const key = `napi_${randomBytes(12).toString("hex")}`;
    const [serialized, sim] = await Promise.all([
        serializeNeonProviders(),
        startNeonSimulator({ apiKey: key, operationMs, rateLimit: { requests: RATE_LIMIT_PER_MINUTE, windowMs: 60_000 } }),
    ]);
    try {
        const load = (type: string) => loadSerializedProvider(serialized.providers[type]!);
        const [projectP, branchP, endpointP, roleP, databaseP] = [NEON_PROJECT_TYPE, NEON_BRANCH_TYPE, NEON_ENDPOINT_TYPE, NEON_ROLE_TYPE, NEON_DATABASE_TYPE].map(load);
        // Production pacing: only the key and the host are set.
        for (const name of ["NEON_RETRY_BASE_MS", "NEON_POLL_MIN_MS", "NEON_POLL_MAX_MS", "NEON_DEADLINE_SECONDS", "NEON_REQUEST_TIMEOUT_MS"]) delete process.env[name];
        process.env.NEON_API_KEY = key;
        process.env.NEON_API_HOST = sim.baseUrl;
        const project = (await projectP!.create!({ name: "bench", regionId: "aws-us-east-2", pgVersion: 17 })).outs as { projectId: string };

        const firstRequest = sim.requests.length;
        const firstOperation = sim.operations.length;
        const started = Date.now();
        await Promise.all(Array.from({ length: count }, async (_, i) => {
            const name = `pr-${i + 1}`;
            const branch = await branchP!.create!({ projectId: project.projectId, name });
            const branchId = branch.id;
            await endpointP!.create!({ projectId: project.projectId, branchId, type: "read_write", minCu: 0.25, maxCu: 1 });
            await roleP!.create!({ projectId: project.projectId, branchId, name: "app" });
            await databaseP!.create!({ projectId: project.projectId, branchId, name: "app", ownerName: "app" });
        }));
        const wallMs = Date.now() - started;

        const ops = sim.operations.slice(firstOperation);
        const minimumMs = ops.reduce((sum, o) => sum + (o.endAt - o.startAt), 0);
        const requests = sim.requests.slice(firstRequest);
        const times = requests.map((r) => r.at).sort((a, b) => a - b);
        const result = {
            branches: count,
            operations: ops.length,
            operationMs,
            wallMs,
            minimumMs,
            ratio: Number((wallMs / minimumMs).toFixed(3)),
            requests: requests.length,
            requestsPerBranch: Number((requests.length / count).toFixed(1)),
            peakRequestsPerMinute: peak(times, 60_000),
            sustainedRequestsPerMinute: Math.round(requests.length / (wallMs / 60_000)),
            peakRequestsPerSecond: peak(times, 1000),
            status423: requests.filter((r) => r.status === 423).length,
            status429: requests.filter((r) => r.status === 429).length,
            specViolations: sim.violations.length,
            byOperation: Object.fromEntries([...new Set(requests.map((r) => r.operationId ?? "?"))].map((id) => [id, requests.filter((r) => r.operationId === id).length])),
        };
        const ok = result.ratio < RATIO_TARGET && result.peakRequestsPerMinute < RATE_LIMIT_PER_MINUTE
            && result.sustainedRequestsPerMinute < RATE_LIMIT_PER_MINUTE && result.peakRequestsPerSecond < BURST_PER_SECOND && result.status429 === 0 && result.specViolations === 0
            && sim.state.branches.size === count + 1;
        console.log(`Neon: ${count} branches (branch, endpoint, role, database each), ${ops.length} operations`);
        console.log(`  wall ${wallMs} ms, minimum (sum of serialized operations) ${minimumMs} ms, ratio ${result.ratio} (target < ${RATIO_TARGET})`);
        console.log(`  ${result.requests} requests, ${result.requestsPerBranch} per branch; peak ${result.peakRequestsPerSecond}/s, ` +
            `${result.peakRequestsPerMinute} in any minute, ${result.sustainedRequestsPerMinute}/min sustained (Neon's limit: ${RATE_LIMIT_PER_MINUTE}/min, bursts ${BURST_PER_SECOND}/s); 423: ${result.status423}, 429: ${result.status429}`);
        console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
        return ok ? 0 : 1;
    } finally {
        await sim.stop();
    }
}

main().then((code) => process.exit(code), (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(2);
});
