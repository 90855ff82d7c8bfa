/**
 * Type tokens of this platform's component resources. The components register under them and the
 * policy pack recognizes them by them; kept here so the pack does not load the components themselves.
 */

/** `Environment`: every service of one stack. */
export const ENVIRONMENT_TYPE = "platform:cloudflare:Environment";
/** `WorkerService`: one Worker and its resources; its outputs carry the health check path and env contract. */
export const WORKER_SERVICE_TYPE = "platform:cloudflare:WorkerService";
/** `GithubEnvironment`: the repository environments, Actions secrets and variables of one stack. */
export const GITHUB_ENVIRONMENT_TYPE = "platform:github:Environment";
/**
 * `D1Migrations` (dynamic resource): the SDK builds `pulumi-nodejs:dynamic/<module>:<type>` from the module
 * and type passed to `pulumi.dynamic.Resource` (`@pulumi/pulumi/dynamic/index.js`).
 */
export const D1_MIGRATIONS_TYPE = "pulumi-nodejs:dynamic/cloudflare:D1Migrations";
/** `HealthGate` (dynamic resource): waits for a service to answer healthy after each deploy. */
export const HEALTH_GATE_TYPE = "pulumi-nodejs:dynamic/cloudflare:HealthGate";
/** `RolloutGate` (dynamic resource): moves a new Worker version through its rollout steps, judged on analytics. */
export const ROLLOUT_GATE_TYPE = "pulumi-nodejs:dynamic/cloudflare:RolloutGate";
/** `Monitoring`: a stack's Logpush job, Health Checks and notification policies (`components/cloudflare/monitoring/`). */
export const MONITORING_TYPE = "platform:cloudflare:Monitoring";
