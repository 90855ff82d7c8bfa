/**
 * `tsc` proof of the typed env (`components/service/envOf.ts`), checked by `npm run typecheck`
 * (`tsconfig.worker.json` includes this folder): correct uses of every binding kind compile, and each misuse is
 * marked `// @ts-expect-error TS<code> <what>`, so the file stops compiling when a misuse is no longer caught
 * (an unused directive is error TS2578). `test/typedEnv.test.ts` compiles a copy without the directives and
 * checks that each marked line fails with exactly its code and that no other line fails.
 */
import type { EnvOf } from "../../components/service/envOf";
import type { shop, shopKinds } from "./shop";

/** The shop service's env: its own classes from its entry module, the `billing` service's entrypoints. */
export type ShopEnv = EnvOf<typeof shop, {
    classes: typeof import("./shopWorker");
    services: { billing: typeof import("./billing") };
}>;

/** Every other binding kind; `EVENTS` gets its body from `queues`, `FULFIL` its params from its class. */
export type KindsEnv = EnvOf<typeof shopKinds, {
    classes: typeof import("./shopWorker");
    queues: { EVENTS: { readonly type: "created" | "deleted"; readonly id: string } };
}>;

/** A Durable Object binding whose class the given module does not export. */
type WrongClassEnv = EnvOf<{ readonly bindings: { readonly CART: { readonly kind: "durableObject"; readonly className: "Basket" } } }, {
    classes: typeof import("./shopWorker");
}>;

/** A service binding to an entrypoint the bound service does not export. */
type WrongEntrypointEnv = EnvOf<{ readonly bindings: { readonly PAY: { readonly kind: "service"; readonly service: "billing"; readonly entrypoint: "Payouts" } } }, {
    services: { billing: typeof import("./billing") };
}>;

/** Classes of another declared service, from that service's entry module in `services`. */
type OtherServiceClassesEnv = EnvOf<{
    readonly bindings: {
        readonly CARTS: { readonly kind: "durableObject"; readonly className: "Cart"; readonly service: "shop" };
        readonly SHIPPING: { readonly kind: "workflow"; readonly className: "Fulfilment"; readonly service: "shop" };
        readonly UNTYPED: { readonly kind: "durableObject"; readonly className: "Cart"; readonly service: "elsewhere" };
    };
}, { services: { shop: typeof import("./shopWorker") } }>;

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
type Expect<T extends true> = T;

/** Each binding has exactly its Workers type. */
export type Checks = [
    Expect<Equal<ShopEnv["CACHE"], KVNamespace>>,
    Expect<Equal<ShopEnv["DB"], D1Database>>,
    Expect<Equal<ShopEnv["FILES"], R2Bucket>>,
    Expect<Equal<ShopEnv["DATABASE"], Hyperdrive>>,
    Expect<Equal<ShopEnv["CART"], DurableObjectNamespace<import("./shopWorker").Cart>>>,
    Expect<Equal<ShopEnv["BILLING"], Service<typeof import("./billing").default>>>,
    Expect<Equal<ShopEnv["REFUNDS"], Service<typeof import("./billing").Refunds>>>,
    Expect<Equal<ShopEnv["LEDGER"], Fetcher>>,
    Expect<Equal<ShopEnv["CURRENCY"], string>>,
    Expect<Equal<ShopEnv["API_TOKEN"], string>>,
    Expect<Equal<keyof ShopEnv, "CACHE" | "DB" | "FILES" | "DATABASE" | "CART" | "BILLING" | "REFUNDS" | "LEDGER" | "CURRENCY" | "API_TOKEN">>,
    Expect<Equal<KindsEnv["ORDERS"], Queue<{ orderId: string; cents: number }>>>,
    Expect<Equal<KindsEnv["FULFIL"], Workflow<Readonly<import("./shopWorker").FulfilmentParams>>>>,
    Expect<Equal<KindsEnv["ASSETS"], Fetcher>>,
    Expect<Equal<KindsEnv["AI"], Ai>>,
    Expect<Equal<KindsEnv["INDEX"], Vectorize>>,
    Expect<Equal<KindsEnv["METRICS"], AnalyticsEngineDataset>>,
    Expect<Equal<KindsEnv["LIMITER"], RateLimit>>,
    Expect<Equal<KindsEnv["BROWSER"], Fetcher>>,
    Expect<Equal<KindsEnv["VERSION"], WorkerVersionMetadata>>,
    Expect<Equal<KindsEnv["MAIL"], SendEmail>>,
    Expect<Equal<KindsEnv["TENANTS"], DispatchNamespace>>,
    Expect<Equal<KindsEnv["CERT"], Fetcher>>,
    Expect<Equal<KindsEnv["STORE_KEY"], SecretsStoreSecret>>,
    Expect<Equal<KindsEnv["IMAGES"], ImagesBinding>>,
    Expect<Equal<KindsEnv["FUTURE"], unknown>>,
    Expect<Equal<OtherServiceClassesEnv["CARTS"], DurableObjectNamespace<import("./shopWorker").Cart>>>,
    Expect<Equal<OtherServiceClassesEnv["SHIPPING"], Workflow<Readonly<import("./shopWorker").FulfilmentParams>>>>,
    Expect<Equal<OtherServiceClassesEnv["UNTYPED"], DurableObjectNamespace>>,
];

/** Correct uses compile; each misuse fails with the code its directive names. */
export async function useShop(env: ShopEnv): Promise<void> {
    await env.CACHE.put("k", "v");
    const cached: string | null = await env.CACHE.get("k");
    // @ts-expect-error TS2339 KV has no `set` method
    await env.CACHE.set("k", "v");

    await env.DB.prepare("select 1").first();
    // @ts-expect-error TS2339 D1 has no `query` method
    await env.DB.query("select 1");

    await env.FILES.put("key", "body");
    const connection: string = env.DATABASE.connectionString;

    const items: number = await env.CART.getByName("user-1").addItem("sku-1");
    // @ts-expect-error TS2339 the Cart class has no `checkout` method
    await env.CART.getByName("user-1").checkout();
    // @ts-expect-error TS2345 `addItem` takes a string
    await env.CART.getByName("user-1").addItem(42);

    const receipt: string = await env.BILLING.charge(1200);
    await env.BILLING.fetch("https://billing/");
    // @ts-expect-error TS2339 the billing service's default entrypoint does not export `refund`
    await env.BILLING.refund(receipt);
    // @ts-expect-error TS2345 `charge` takes cents as a number
    await env.BILLING.charge("12.00");
    const refunded: boolean = await env.REFUNDS.refund(receipt);
    // @ts-expect-error TS2339 the `Refunds` entrypoint does not export `charge`
    await env.REFUNDS.charge(1200);
    await env.LEDGER.fetch("https://ledger/");
    // @ts-expect-error TS2339 a service not in `services` is a plain Fetcher, without RPC methods
    await env.LEDGER.balance();

    const currency: string = env.CURRENCY;
    // @ts-expect-error TS2551 no binding and no contract key named `CURRENCIES` ("did you mean CURRENCY?")
    env.CURRENCIES;
    // @ts-expect-error TS2540 env is read-only
    env.API_TOKEN = "x";
    void [cached, connection, items, refunded, currency];
}

/** Correct uses and misuses of the other kinds. */
export async function useKinds(env: KindsEnv, wrongClass: WrongClassEnv, wrongEntrypoint: WrongEntrypointEnv): Promise<void> {
    await env.ORDERS.send({ orderId: "o-1", cents: 1200 });
    await env.ORDERS.sendBatch([{ body: { orderId: "o-2", cents: 5 } }]);
    // @ts-expect-error TS2322 the queue's message schema makes `orderId` a string
    await env.ORDERS.send({ orderId: 1, cents: 1200 });
    // @ts-expect-error TS2345 the queue's body is an object, not a string
    await env.ORDERS.send("order o-1");
    await env.EVENTS.send({ type: "created", id: "e-1" });
    // @ts-expect-error TS2322 `queues.EVENTS` allows only "created" and "deleted"
    await env.EVENTS.send({ type: "updated", id: "e-1" });

    await env.FULFIL.create({ params: { orderId: "o-1" } });
    // @ts-expect-error TS2353 the Fulfilment workflow's params have no `sku` field
    await env.FULFIL.create({ params: { sku: "o-1" } });

    await env.ASSETS.fetch("https://assets/index.html");
    await env.AI.run("@cf/meta/llama-3.1-8b-instruct", { prompt: "hello" });
    await env.INDEX.query([0.1, 0.2], { topK: 3 });
    env.METRICS.writeDataPoint({ blobs: ["a"], doubles: [1] });
    // @ts-expect-error TS2339 Analytics Engine datasets have no `write` method
    env.METRICS.write({ blobs: ["a"] });
    const { success }: { success: boolean } = await env.LIMITER.limit({ key: "user-1" });
    await env.BROWSER.fetch("https://browser/");
    const version: string = env.VERSION.id;
    await env.TENANTS.get("tenant-worker").fetch("https://tenant/");
    await env.CERT.fetch("https://origin/");
    const key: string = await env.STORE_KEY.get();
    // @ts-expect-error TS18046 a kind EnvOf does not know is `unknown`
    env.FUTURE.anything();

    // @ts-expect-error TS2339 the classes module does not export `Basket`: the binding is an EnvTypeError
    wrongClass.CART.getByName("x");
    // @ts-expect-error TS2339 billing does not export `Payouts`: the binding is an EnvTypeError
    await wrongEntrypoint.PAY.fetch("https://billing/");
    void [success, version, key];
}
