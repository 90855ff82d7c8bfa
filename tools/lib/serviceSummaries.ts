/**
 * What an offline run resolved each service to, read from its WorkerService's registered outputs
 * (`WorkerServiceOutputs` in components/cloudflare/workerService.ts): the offline plan writes each service's
 * wrangler files from it, and `npm run dev` starts wrangler with them.
 */
import type { WorkerServiceOutputs } from "../../components/cloudflare/workerService";
import { WORKER_SERVICE_TYPE } from "../../components/typeTokens";
import type { GeneratedWranglerConfig } from "../../components/wrangler/generate";
import type { ResourceRecord } from "./mockEngine";

/** A WorkerService's outputs, its wrangler config parsed. */
export interface ServiceSummary extends Omit<WorkerServiceOutputs, "wranglerConfig"> {
    readonly wranglerConfig: GeneratedWranglerConfig;
}

/**
 * Each WorkerService of `resources` (an offline run's, in registration order), by service name (the component's name).
 * @throws {Error} when a WorkerService registered no outputs or a wrangler config that is not JSON text (the
 *   program did not finish, or a value was unknown): a defect, not a user error.
 */
export function serviceSummaries(resources: readonly ResourceRecord[]): Record<string, ServiceSummary> {
    const summaries: Record<string, ServiceSummary> = {};
    for (const record of resources) {
        if (record.type !== WORKER_SERVICE_TYPE) continue;
        const outputs = record.outputs as Partial<WorkerServiceOutputs>;
        if (typeof outputs.wranglerConfig !== "string") {
            throw new Error(`WorkerService ${record.name} registered no wrangler config (outputs: ${Object.keys(outputs).join(", ") || "none"})`);
        }
        let wranglerConfig: GeneratedWranglerConfig;
        try {
            wranglerConfig = JSON.parse(outputs.wranglerConfig) as GeneratedWranglerConfig;
        } catch (error) {
            throw new Error(`WorkerService ${record.name} registered a wrangler config that is not JSON: ${(error as Error).message}`);
        }
        summaries[record.name] = { ...(outputs as WorkerServiceOutputs), wranglerConfig };
    }
    return summaries;
}
