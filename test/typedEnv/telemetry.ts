/**
 * `tsc` proof that `EnvOf` types the bindings a declaration's `telemetry` adds (`components/service/telemetry.ts`),
 * checked by `npm run typecheck` (`tsconfig.worker.json` includes this folder): `telemetry: true` gives
 * `METRICS` and `CF_VERSION_METADATA`, names given are used, a declared version metadata binding is kept, and
 * without telemetry neither exists (each misuse is marked `// @ts-expect-error`, so the file stops compiling
 * when one is no longer caught).
 */
import { z } from "zod";
import { defineService } from "../../components/service/declaration";
import type { EnvOf } from "../../components/service/envOf";

const base = { main: "src/index.ts", compatibilityDate: "2026-04-01", env: z.object({}) } as const;

const defaults = defineService({ ...base, name: "defaults", telemetry: true });
const named = defineService({ ...base, name: "named", telemetry: { metricsBinding: "REQUESTS", versionBinding: "VERSION_INFO" } });
const ownVersion = defineService({ ...base, name: "own-version", bindings: { VERSION: { kind: "versionMetadata" } }, telemetry: {} });
const off = defineService({ ...base, name: "off", bindings: { CACHE: { kind: "kv" } } });

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
type Expect<T extends true> = T;

/** Each added binding has exactly its Workers type, and nothing else is added. */
export type TelemetryChecks = [
    Expect<Equal<EnvOf<typeof defaults>, { readonly METRICS: AnalyticsEngineDataset; readonly CF_VERSION_METADATA: WorkerVersionMetadata }>>,
    Expect<Equal<EnvOf<typeof named>, { readonly REQUESTS: AnalyticsEngineDataset; readonly VERSION_INFO: WorkerVersionMetadata }>>,
    Expect<Equal<EnvOf<typeof ownVersion>, { readonly VERSION: WorkerVersionMetadata; readonly METRICS: AnalyticsEngineDataset }>>,
    Expect<Equal<EnvOf<typeof off>, { readonly CACHE: KVNamespace }>>,
];

/** Correct uses compile; the misuses fail. */
export function useTelemetry(env: EnvOf<typeof defaults>, without: EnvOf<typeof off>): string {
    env.METRICS.writeDataPoint({ indexes: ["/"], blobs: ["/"], doubles: [1] });
    // @ts-expect-error TS2339 a service without telemetry has no METRICS binding
    without.METRICS.writeDataPoint({});
    return env.CF_VERSION_METADATA.id;
}
