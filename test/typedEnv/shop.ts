/**
 * Declarations of a fictitious `shop` service, for the typed-env tests (`misuse.ts`).
 *
 * `shop` goes through `defineService`, so it proves the function keeps the literal types `EnvOf` reads.
 * `shopKinds` declares every other kind as a plain object `as const` (what `EnvOf` accepts besides a
 * `defineService` result), so the type mapping is checked for each kind whether or not the binding table
 * validates that kind yet.
 */
import { z } from "zod";
import { defineService } from "../../components/service/declaration";

/** The shop service: storage, a Durable Object, two service bindings to `billing`, values in the env contract. */
export const shop = defineService({
    name: "shop",
    main: "shopWorker.ts",
    compatibilityDate: "2026-04-01",
    bindings: {
        CACHE: { kind: "kv" },
        DB: { kind: "d1" },
        FILES: { kind: "r2" },
        DATABASE: { kind: "hyperdrive" },
        CART: { kind: "durableObject", className: "Cart" },
        BILLING: { kind: "service", service: "billing" },
        REFUNDS: { kind: "service", service: "billing", entrypoint: "Refunds" },
        LEDGER: { kind: "service", service: "ledger" },
        CURRENCY: { kind: "var", value: "EUR" },
        API_TOKEN: { kind: "secret" },
    },
    durableObjectMigrations: [{ tag: "v1", newSqliteClasses: ["Cart"] }],
    env: z.object({ CURRENCY: z.enum(["EUR", "USD"]), API_TOKEN: z.string().min(32) }),
});

/** One binding of every other kind, with the fields `EnvOf` reads (`message`, `className`). */
export const shopKinds = {
    bindings: {
        ORDERS: { kind: "queue", message: z.object({ orderId: z.string(), cents: z.number().int() }) },
        EVENTS: { kind: "queue" },
        FULFIL: { kind: "workflow", className: "Fulfilment" },
        ASSETS: { kind: "assets", directory: "public" },
        AI: { kind: "ai" },
        INDEX: { kind: "vectorize" },
        METRICS: { kind: "analyticsEngine" },
        LIMITER: { kind: "rateLimit" },
        BROWSER: { kind: "browser" },
        VERSION: { kind: "versionMetadata" },
        MAIL: { kind: "sendEmail" },
        TENANTS: { kind: "dispatchNamespace" },
        CERT: { kind: "mtlsCertificate" },
        STORE_KEY: { kind: "secretsStoreSecret" },
        IMAGES: { kind: "images" },
        FUTURE: { kind: "somethingNew" },
    },
} as const;
