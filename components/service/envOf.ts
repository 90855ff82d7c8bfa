/**
 * The Worker's `env`, typed from its declaration: `EnvOf<typeof declaration>` gives every binding its Workers
 * runtime type by the binding's `kind` (`kv` → `KVNamespace`, `queue` → `Queue<Body>`, `service` →
 * `Service<Entrypoint>`, …) and lists the env contract's keys, so a service never hand-writes an `Env`
 * interface that can drift from what the platform binds.
 *
 * Types only, written against `@cloudflare/workers-types`: compiled by `tsconfig.worker.json` (Worker code and
 * the typed-env tests), never imported by the Pulumi program (whose tsconfig has Node's types only). The
 * declaration's run-time value is untouched: the types come from the phantom field `defineService` records
 * (see `DeclaredTypes` in `./declaration`).
 *
 * @example
 * // services/api/src/env.ts
 * import type { EnvOf } from "../../../components/service/envOf";
 * import type declaration from "../service";
 * export type Env = EnvOf<typeof declaration, { classes: typeof import("./index") }>;
 */
import type { z } from "zod";
import type { DeclaredInput } from "./declaration";

/**
 * What the declaration alone cannot say about the types behind its bindings; every field is optional and a
 * binding whose type is not given falls back to the untyped Workers type (`DurableObjectNamespace`,
 * `Fetcher`, `Queue<unknown>`, `Workflow<unknown>`).
 */
export interface EnvTypes {
    /**
     * The module(s) exporting this service's own Durable Object and Workflow classes, usually its entry module:
     * `typeof import("./index")`. A `durableObject` / `workflow` binding without `service` takes its class from
     * here by `className`; a class this type does not export makes the binding a {@link EnvTypeError}.
     */
    readonly classes?: object;
    /**
     * Other declared services by name (the `service` field of a binding), each as the type of its entry module:
     * `{ api: typeof import("../../api/src/index") }`. A `service` binding is typed by the target's default
     * export or named `entrypoint` (`Service<typeof Entrypoint>`, so calling a method the target does not
     * export fails `tsc`); a `durableObject` / `workflow` binding with `service` takes its class from there.
     */
    readonly services?: { readonly [service: string]: object };
    /**
     * Message body of a `queue` binding, by binding name; overrides the binding's `message` schema.
     * @default the `z.input` of the binding's `message` schema when it has one, else `unknown`
     */
    readonly queues?: { readonly [binding: string]: unknown };
    /**
     * Instance params of a `workflow` binding, by binding name; overrides the params read from the class.
     * @default the `T` of the bound class's `WorkflowEntrypoint<Env, T>` when the class is known, else `unknown`
     */
    readonly workflows?: { readonly [binding: string]: unknown };
}

/**
 * The type a binding gets when {@link EnvTypes} says something the declaration contradicts (a class the given
 * module does not export, an entrypoint the target service does not export): every use of it fails `tsc`, and
 * the message names the problem.
 */
export interface EnvTypeError<Message extends string> {
    readonly __envTypeError: Message;
}

/**
 * The Workers runtime type of one binding, by `kind`. `B` is the binding as declared (literal types), `T` the
 * {@link EnvTypes}, `N` the binding name. A kind defined outside `components/bindings/` adds its type by
 * augmenting this interface (same type parameters):
 *
 * @example
 * declare module "../service/envOf" {
 *     interface BindingTypes<B, T, N> { myKind: MyBindingType }
 * }
 */
export interface BindingTypes<B, T extends EnvTypes, N extends string> {
    /** Workers KV namespace. */
    kv: KVNamespace;
    /** D1 database. */
    d1: D1Database;
    /** R2 bucket. */
    r2: R2Bucket;
    /** Durable Object namespace of the bound class (RPC methods typed when the class is known). */
    durableObject: DurableObjectNamespaceOf<B, T>;
    /** Service binding, typed by the target's entrypoint when the target's module is known. */
    service: ServiceOf<B, T>;
    /** Hyperdrive configuration (`connectionString` for a Postgres client). */
    hyperdrive: Hyperdrive;
    /** Plain-text variable: the raw string; the env contract validates it. */
    var: string;
    /** Secret: the raw string; the env contract validates it. */
    secret: string;
    /** Queue producer. */
    queue: Queue<QueueBodyOf<B, T, N>>;
    /** Workflow. */
    workflow: Workflow<WorkflowParamsOf<B, T, N>>;
    /** Static assets (`env.ASSETS.fetch`). */
    assets: Fetcher;
    /** Workers AI. */
    ai: Ai;
    /** Vectorize index (the current API; `VectorizeIndex` is the deprecated beta one). */
    vectorize: Vectorize;
    /** Analytics Engine dataset. */
    analyticsEngine: AnalyticsEngineDataset;
    /** Rate limiter. */
    rateLimit: RateLimit;
    /** Browser Rendering (`@cloudflare/puppeteer` takes it). */
    browser: Fetcher;
    /** Version metadata of the running Worker version. */
    versionMetadata: WorkerVersionMetadata;
    /** Email sending. */
    sendEmail: SendEmail;
    /** Workers for Platforms dispatch namespace. */
    dispatchNamespace: DispatchNamespace;
    /** mTLS certificate (`env.CERT.fetch` presents it). */
    mtlsCertificate: Fetcher;
    /** Secrets Store secret (`await env.KEY.get()`). */
    secretsStoreSecret: SecretsStoreSecret;
    /** Images. */
    images: ImagesBinding;
}

/**
 * The Worker's `env` for a declaration: each binding typed by its kind ({@link BindingTypes}; a kind without an
 * entry is `unknown`), plus every key of the env contract (`env` schema) as the raw `string` the Worker
 * receives. Values stay untrusted: validate them with the contract (`checkEnvContract`), whose result is
 * {@link ConfigOf}.
 *
 * `D` is `typeof declaration` (what `defineService` returns), or any object with `bindings` (and optionally
 * `env`) written `as const`. `T` supplies the types the declaration cannot name ({@link EnvTypes}).
 *
 * @example
 * export type Env = EnvOf<typeof declaration, {
 *     classes: typeof import("./index");
 *     services: { api: typeof import("../../api/src/index") };
 * }>;
 */
export type EnvOf<D, T extends EnvTypes = {}> = Simplify<
    & { readonly [N in keyof BindingsOf<D>]: BindingTypeOf<BindingsOf<D>[N], T, N & string> }
    & TelemetryBindingsOf<D>
    & { readonly [K in Exclude<ContractKeysOf<D>, keyof BindingsOf<D>>]: string }
>;

/** The env contract's output (`z.output` of the declaration's `env` schema): what `checkEnvContract` returns. */
export type ConfigOf<D> = DeclaredInput<D> extends { readonly env: infer C extends z.ZodType } ? z.output<C> : {};

/** The Workers type of one declared binding `B` named `N` (see {@link BindingTypes}); `unknown` for an unknown kind. */
export type BindingTypeOf<B, T extends EnvTypes = {}, N extends string = string> = B extends { readonly kind: infer K extends string }
    ? K extends keyof BindingTypes<B, T, N> ? BindingTypes<B, T, N>[K] : unknown
    : unknown;

/** The declared bindings of `D`, as written. */
type BindingsOf<D> = DeclaredInput<D> extends { readonly bindings: infer B extends object } ? B : {};

/**
 * The bindings the declaration's `telemetry` adds (`./telemetry.ts`): the metrics dataset (`METRICS` unless
 * `metricsBinding` names it) and, when no `versionMetadata` binding is declared, the version metadata
 * (`CF_VERSION_METADATA` unless `versionBinding` names it); none without `telemetry` or with `telemetry: false`.
 */
type TelemetryBindingsOf<D> = DeclaredInput<D> extends { readonly telemetry: infer C }
    ? C extends true ? TelemetryEnv<"METRICS", undefined, BindingsOf<D>>
    : C extends { readonly metricsBinding?: infer M; readonly versionBinding?: infer V } ? TelemetryEnv<M extends string ? M : "METRICS", V, BindingsOf<D>>
    : {}
    : {};

/** The metrics dataset `M`, and the version metadata `V` unless the bindings `B` declare one. */
type TelemetryEnv<M extends string, V, B> =
    & { readonly [K in M]: AnalyticsEngineDataset }
    & (DeclaresVersionMetadata<B> extends true ? {} : { readonly [K in V extends string ? V : "CF_VERSION_METADATA"]: WorkerVersionMetadata });

/** `true` when one of the bindings `B` is of kind `versionMetadata`. */
type DeclaresVersionMetadata<B> = { [K in keyof B]: B[K] extends { readonly kind: "versionMetadata" } ? true : never }[keyof B] extends never ? false : true;

/** The env contract's keys of `D`. */
type ContractKeysOf<D> = DeclaredInput<D> extends { readonly env: { readonly shape: infer S extends object } } ? keyof S & string : never;

/** Flattens an intersection for readable hovers and messages. */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The module a `durableObject` / `workflow` binding takes its class from: `services[service]` or `classes`. */
type ClassModuleOf<B, T extends EnvTypes> = B extends { readonly service: infer S extends string }
    ? T extends { readonly services: infer M extends object } ? (S extends keyof M ? M[S] : undefined) : undefined
    : T extends { readonly classes: infer M extends object } ? M : undefined;

/** The class a `durableObject` / `workflow` binding names: its constructor type, `undefined` when no module is given. */
type BoundClassOf<B, T extends EnvTypes> = B extends { readonly className: infer C extends string }
    ? ClassModuleOf<B, T> extends infer M
        ? M extends object
            ? C extends keyof M ? M[C] : EnvTypeError<`class "${C}" is not exported by the module given for it in EnvTypes`>
            : undefined
        : never
    : undefined;

/** `DurableObjectNamespace<Class>` for a known class, the untyped namespace when none is given. */
type DurableObjectNamespaceOf<B, T extends EnvTypes> = BoundClassOf<B, T> extends infer C
    ? C extends EnvTypeError<string> ? C
    : C extends abstract new (...args: any[]) => infer I
        ? I extends Rpc.DurableObjectBranded ? DurableObjectNamespace<I> : EnvTypeError<"the bound class does not extend DurableObject">
        : DurableObjectNamespace
    : never;

/** The target's entrypoint: its named `entrypoint` export, else its default export. */
type EntrypointOf<B, M> = B extends { readonly entrypoint: infer E extends string }
    ? E extends keyof M ? M[E] : EnvTypeError<`the bound service does not export entrypoint "${E}"`>
    : "default" extends keyof M ? M["default"] : EnvTypeError<"the bound service's module has no default export">;

/** `Service<Entrypoint>` for a known target (a `WorkerEntrypoint` class gets its RPC methods), else `Fetcher`. */
type ServiceOf<B, T extends EnvTypes> = B extends { readonly service: infer S extends string }
    ? T extends { readonly services: infer M extends object }
        ? S extends keyof M
            ? EntrypointOf<B, M[S]> extends infer E
                ? E extends EnvTypeError<string> ? E
                : E extends (new (...args: any[]) => Rpc.WorkerEntrypointBranded) | Rpc.WorkerEntrypointBranded ? Service<E>
                : Fetcher
                : never
            : Fetcher
        : Fetcher
    : Fetcher;

/** The body of a `queue` binding: `queues[N]`, else the `z.input` of its `message` schema, else `unknown`. */
type QueueBodyOf<B, T extends EnvTypes, N extends string> = T extends { readonly queues: infer Q extends object }
    ? N extends keyof Q ? Q[N] : MessageOf<B>
    : MessageOf<B>;

/** The `z.input` of a binding's `message` schema, `unknown` when it has none. */
type MessageOf<B> = B extends { readonly message: infer M extends z.ZodType } ? z.input<M> : unknown;

/** The params of a `workflow` binding: `workflows[N]`, else the `T` of its class's `WorkflowEntrypoint<Env, T>`, else `unknown`. */
type WorkflowParamsOf<B, T extends EnvTypes, N extends string> = T extends { readonly workflows: infer W extends object }
    ? N extends keyof W ? W[N] : ClassParamsOf<B, T>
    : ClassParamsOf<B, T>;

/** The params type a Workflow class's `run(event)` reads from `event.payload`. */
type ClassParamsOf<B, T extends EnvTypes> = BoundClassOf<B, T> extends abstract new (...args: any[]) => infer I
    ? I extends { run(event: infer E, ...rest: any[]): unknown } ? (E extends { readonly payload: infer P } ? P : unknown) : unknown
    : unknown;
