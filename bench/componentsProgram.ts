/**
 * The "components" variant: the generated services declared the way this repository declares services
 * (`defineService` per service, then `definePlatform`), exactly as `infra/index.ts` does for the real
 * ones. Declaring the services (zod validation) is part of the measured program.
 */
import { z } from "zod";
import { defineService } from "../components/service/declaration";
import { definePlatform } from "../infra/program";
import type { ServiceEntry } from "../infra/registry";
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS, MAIN, STACK, type ServiceSpec } from "./fixture";

/** Declares the platform for `specs`; returns the stack outputs (`services`, as `infra/index.ts` exports). */
export function componentsProgram(specs: readonly ServiceSpec[]): Record<string, unknown> {
    const entries: ServiceEntry[] = specs.map((spec) => ({ declaration: declare(spec), root: spec.root }));
    const { environment } = definePlatform(entries, STACK);
    return { services: environment.summary };
}

function declare(spec: ServiceSpec) {
    return defineService({
        name: spec.name,
        main: MAIN,
        compatibilityDate: COMPATIBILITY_DATE,
        compatibilityFlags: [...COMPATIBILITY_FLAGS],
        version: "1.0.0",
        bindings: {
            CACHE: { kind: "kv" },
            DB: { kind: "d1" },
            FILES: { kind: "r2" },
            COUNTER: { kind: "durableObject", className: "Counter" },
            LOG_LEVEL: { kind: "var", value: "info" },
            SIGNING_KEY: { kind: "secret" },
            ...(spec.upstream === undefined ? {} : { UPSTREAM: { kind: "service", service: spec.upstream } as const }),
        },
        durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Counter"] }],
        env: z.object({
            LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]),
            SIGNING_KEY: z.string().min(32),
        }),
        health: { path: "/health" },
        customDomains: [spec.customDomain],
        routes: spec.route === undefined ? [] : [spec.route],
        crons: spec.cron === undefined ? [] : [spec.cron],
        workersDev: spec.workersDev,
        observability: { enabled: true, headSamplingRate: 1 },
    });
}
