/**
 * The per-stack settings of a service: the declaration's defaults merged with the stack config
 * (`platform:services.<name>`), as `infra/resolve.ts` produces them. Read by WorkerService, the wrangler
 * generator and the public URL helpers.
 */
import type { Limits, Placement } from "./workerSettings";

/** The per-stack settings of a service after merging declaration and stack config. */
export interface ServiceSettings {
    /** Route patterns (`api.example.com/*`). */
    readonly routes: readonly string[];
    /** Custom Domain hostnames. */
    readonly customDomains: readonly string[];
    /** Values of every `var` binding, by binding name. */
    readonly vars: Readonly<Record<string, string>>;
    /** Whether the Worker is served on workers.dev. */
    readonly workersDev: boolean;
    /** Cron Trigger schedules. */
    readonly crons: readonly string[];
    /** Workers Logs settings; `headSamplingRate` is a fraction 0–1. */
    readonly observability: { readonly enabled: boolean; readonly headSamplingRate: number };
    /** Whether stateful resources are protected. */
    readonly protect: boolean;
    /** Placement in this stack, when the stack or the declaration sets one (`workerSettings.ts`). */
    readonly placement?: Placement;
    /** CPU and subrequest limits in this stack, when set. */
    readonly limits?: Limits;
    /** Workers Logpush in this stack, when set. */
    readonly logpush?: boolean;
}
