/**
 * Type tokens of this platform's component resources. The components register under them and the
 * policy pack recognizes them by them; kept here so the pack does not load the components themselves.
 */

/** `Environment`: every service of one stack. */
export const ENVIRONMENT_TYPE = "platform:cloudflare:Environment";
/** `WorkerService`: one Worker and its resources; its outputs carry the health check path and env contract. */
export const WORKER_SERVICE_TYPE = "platform:cloudflare:WorkerService";
