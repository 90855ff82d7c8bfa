/**
 * The health-check library Worker code imports to serve its health endpoint.
 *
 * From the service's declaration it derives one check per bound resource (KV `get`, D1 `select 1`,
 * R2 `head`, a Durable Object probe, a bound service's health endpoint, `select 1` through Hyperdrive
 * with the client passed as `options.postgres`, see `./postgres`) plus the env contract, runs
 * them concurrently under a time limit, and answers `200`/`503` with a JSON report that never contains
 * a value read from `env`.
 *
 * @example
 * import { DurableObject } from "cloudflare:workers";
 * import { createHealthHandler, isHealthProbe, healthProbeResponse } from "../../../components/health/index";
 * import declaration from "../service";
 *
 * const health = createHealthHandler(declaration);
 * export default {
 *   async fetch(request, env) {
 *     return (await health(request, env)) ?? new Response("not found", { status: 404 });
 *   },
 * } satisfies ExportedHandler<Env>;
 *
 * export class Counter extends DurableObject {
 *   async fetch(request: Request) {
 *     if (isHealthProbe(request)) return healthProbeResponse(() => this.ctx.storage.sql.exec("select 1").one());
 *     return new Response("not found", { status: 404 });
 *   }
 * }
 */
export type {
    CheckKind, CheckResult, CustomCheck, HealthDeclaration, HealthOptions, HealthReport, HealthStatus, PlannedCheck, PostgresClient,
} from "./types";
export {
    createHealthHandler, runHealthChecks, healthResponse,
    DEFAULT_PROBE_KEY, DEFAULT_DURABLE_OBJECT_NAME, DEFAULT_SERVICE_HEALTH_PATH,
    type HealthHandler, type HealthContext,
} from "./handler";
export { planHealthChecks, ENV_CHECK } from "./plan";
export {
    checkKv, checkD1, checkR2, checkDurableObject, checkService, checkHyperdrive, checkWorkflow, parseHealthChain,
    WORKFLOW_PROBE_INSTANCE_ID,
    HEALTH_CHAIN_HEADER, MAX_HEALTH_CHAIN,
} from "./checks";
export {
    checkEnvContract, envContractErrorResponse,
    type EnvContractResult, type EnvContractSuccess, type EnvContractFailure, type EnvProblem,
} from "./envContract";
export { isHealthProbe, healthProbeResponse, healthProbeRequest, HEALTH_PROBE_PATH, HEALTH_PROBE_HEADER, HEALTH_PROBE_URL } from "./probe";
export { runCheck, errorMessage, DEFAULT_TIMEOUT_MS, MAX_MESSAGE_LENGTH, type CheckWork } from "./timing";
export { healthReportSchema, parseHealthReport, failingChecks } from "./report";
