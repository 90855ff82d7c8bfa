/**
 * What one binding kind is to every consumer of a declaration. Each module of this folder exports one
 * {@link BindingKindDefinition}; `index.ts` lists them. WorkerService, the wrangler generator, the importer,
 * the health library and the policy pack iterate that table and never switch on a kind.
 *
 * This module and the kind modules import no Pulumi package at run time (only types): the health library and
 * the declarations are bundled into Workers, so `@pulumi/cloudflare` and `@pulumi/pulumi` reach a kind
 * through {@link ResourceContext} and {@link ScriptBindingContext} instead.
 */
import type * as cloudflare from "@pulumi/cloudflare";
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { ValidationIssue } from "../validation";

/** A binding of a validated declaration: `kind` plus the kind's own fields. */
export interface DeclaredBinding {
    readonly kind: string;
    readonly [field: string]: unknown;
}

/**
 * What a binding needs of the resources created for it in one stack, after they exist: ids and names as
 * plain strings (`{ kind: "kv", id }`, `{ kind: "d1", id, name }`, `{ kind: "r2", bucketName }`).
 */
export interface ResolvedResource {
    readonly kind: string;
    readonly [field: string]: string;
}

/** The slice of a declaration the kinds read (a full `ServiceDeclaration` fits). */
export interface DeclarationView {
    readonly name: string;
    readonly bindings: Readonly<Record<string, DeclaredBinding>>;
    /** The health endpoint (a full declaration has it; stand-ins may not). */
    readonly health?: { readonly path: string };
}

/** Everything a kind needs to check one binding of a declaration beyond its own schema. */
export interface CheckContext {
    /** The whole declaration. */
    readonly declaration: DeclarationView;
    /** Durable Object classes live after replaying the declaration's migrations. */
    readonly liveClasses: ReadonlySet<string>;
    /** Renders a path below the binding (`services.api.bindings.DB.migrationsDir`). */
    readonly at: (...path: PropertyKey[]) => string;
}

/** Everything a kind needs to create its per-stack resources. */
export interface ResourceContext {
    /** Pulumi resource name of the child (`<component>-<binding slug>`). */
    readonly name: string;
    /**
     * Physical name in Cloudflare: the adopted resource's name, else the kind's {@link BindingKindDefinition.physicalName},
     * else `<script>-<binding slug>` (`api-staging-files`).
     */
    readonly physicalName: string;
    readonly accountId: pulumi.Input<string>;
    /** Resource options: parent, protect and, when adopted, `import`. */
    readonly opts: pulumi.CustomResourceOptions;
    /** The environment's Hyperdrive configuration id, when the stack has a database. */
    readonly hyperdriveId?: pulumi.Input<string>;
    /** The `@pulumi/cloudflare` module (injected: kinds import no Pulumi package at run time). */
    readonly cloudflare: typeof cloudflare;
    /** The `@pulumi/pulumi` module (injected). */
    readonly pulumi: typeof pulumi;
}

/** What a kind created (or found) for one binding in one stack. */
export interface CreatedResources {
    /** The resource holding the binding's data, if the kind creates one (policies, outputs and D1 migrations read it). */
    readonly resource?: pulumi.CustomResource;
    /** The ids the binding needs, once known. */
    readonly resolved: pulumi.Input<ResolvedResource>;
}

/** Everything a kind needs to build its `WorkersScript` / `WorkerVersion` binding. */
export interface ScriptBindingContext {
    /** Binding (env property) name. */
    readonly name: string;
    /** The declaring service's name (`api`), for messages. */
    readonly service: string;
    /** The binding's resolved resource (`undefined` for kinds that create none). */
    readonly resolved: pulumi.Output<ResolvedResource | undefined>;
    /** The resolved resource of another binding of the same service (the kv namespace a `sameAs` binding shares), by binding name. */
    readonly resolvedOf: (binding: string) => pulumi.Output<ResolvedResource | undefined>;
    /** Script name of a declared service in this stack; throws when it is not known. */
    readonly scriptOf: (service: string) => string;
    /** This stack's value of a `var` binding (stack config `vars`), if set. */
    readonly varValue: (name: string) => string | undefined;
    /** This stack's value of a `secret` binding, as a Pulumi secret; throws when missing. */
    readonly secretValue: (name: string) => pulumi.Output<string>;
}

/** Everything a kind needs to add resources that attach to the deployed script (a queue consumer). */
export interface DeployedContext {
    /** Binding (env property) name. */
    readonly name: string;
    /** Pulumi resource name of a child for this binding (`<component>-<binding slug>`); suffix it for several. */
    readonly childName: string;
    readonly accountId: pulumi.Input<string>;
    /** The deployed script's name, an output of the resource that created it. */
    readonly scriptName: pulumi.Output<string>;
    /** The binding's resolved resource (`undefined` for kinds that create none). */
    readonly resolved: pulumi.Output<ResolvedResource | undefined>;
    /** The resolved resource of another binding of the same service (a dead-letter queue), by binding name. */
    readonly resolvedOf: (binding: string) => pulumi.Output<ResolvedResource | undefined>;
    /** Script name of a declared service in this stack; throws when it is not known. */
    readonly scriptOf: (service: string) => string;
    /** Resource options: parent, and `dependsOn` the script (or versioned deployment). */
    readonly opts: pulumi.CustomResourceOptions;
    /**
     * Options for a resource created here that holds the binding's data (a Workflow, whose instances are its
     * data): {@link opts} plus `protect` and, when the stack adopts the binding's resource, `import`, as
     * {@link ResourceContext.opts} has them.
     */
    readonly dataOpts: pulumi.CustomResourceOptions;
    /** The `@pulumi/cloudflare` module (injected). */
    readonly cloudflare: typeof cloudflare;
    /** The `@pulumi/pulumi` module (injected). */
    readonly pulumi: typeof pulumi;
}

/** What a kind needs to contribute script-level settings (static assets). */
export interface ScriptSettingsContext {
    readonly name: string;
    /** Absolute path of the service directory. */
    readonly root: string;
    /** Renders a path below the binding (`services.web.bindings.ASSETS.directory`), for messages. */
    readonly at: (...path: PropertyKey[]) => string;
}

/** Everything a kind needs to write its wrangler configuration entry. */
export interface WranglerContext {
    readonly name: string;
    /** The binding's resolved resource (`undefined` for kinds that create none). */
    readonly resolved: ResolvedResource | undefined;
    /** The resolved resource of another binding of the same service (a dead-letter queue), by binding name. */
    readonly resolvedOf: (binding: string) => ResolvedResource | undefined;
    /** Script name of a declared service in this stack; throws when it is not known. */
    readonly scriptOf: (service: string) => string;
    /** This stack's value of a `var` binding, if set. */
    readonly varValue: (name: string) => string | undefined;
    /** A path relative to the service directory, as a path relative to the project root (`services/api/migrations`). */
    readonly projectPath: (relative: string) => string;
    /** The wrangler config being built; kinds add their entries to it (see {@link addWranglerEntry}). */
    readonly config: Record<string, unknown>;
    /** Names of bindings whose value belongs in `.dev.vars` (secrets); kinds add theirs. */
    readonly secretNames: string[];
}

/** One item of an imported wrangler environment that a kind reads. */
export interface ImportItem {
    /** The binding name the item declares (`binding`, `name` or the record key). */
    readonly name: string;
    /** The item itself: an object, or the value for record-shaped keys (`vars`). */
    readonly value: unknown;
    /** Path segments of the item inside the environment (`["kv_namespaces", 0]`). */
    readonly path: readonly PropertyKey[];
}

/** Everything a kind needs to map one wrangler item to a declared binding. */
export interface ImportContext {
    /** The service being imported. */
    readonly serviceName: string;
    /**
     * The whole environment being imported (its own and inherited keys), for kinds that assemble one binding
     * from several lists (a queue's producer and its consumer).
     */
    readonly section: Readonly<Record<string, unknown>>;
    /** The stack the environment feeds (`production`). */
    readonly stack: string;
    /** `env.production` or `the top level`, for messages. */
    readonly label: string;
    /** Durable Object classes the imported migrations create. */
    readonly liveClasses: ReadonlySet<string>;
    /** The first environment's label, for messages about migrations. */
    readonly baseLabel: string;
    /**
     * Reports something about the original at a path inside the item (`["migrations_dir"]`). `added`: the item
     * declares a binding the original environment does not have as one (a queue it only consumes).
     */
    readonly note: (path: readonly PropertyKey[], category: "unsupported" | "changed" | "action" | "added", message: string) => void;
    /** The service name a Worker script name maps to, or undefined when it cannot be one. */
    readonly serviceNameFrom: (script: string) => string | undefined;
    /** The bindings declared so far (earlier items and environments), by name: for kinds that allow one binding per target. */
    readonly declared: Readonly<Record<string, DeclaredBinding>>;
}

/** How the importer finds a kind's items in a wrangler environment and maps each to a binding. */
export interface ImportMapping {
    /** Where the items live: `["kv_namespaces"]`, `["durable_objects", "bindings"]`, `["secrets", "required"]`. */
    readonly path: readonly string[];
    /**
     * The shape at `path`: a list of objects named by `nameField`; a record of name → value (`vars`); a list of
     * names (`secrets.required`); or one object named by `nameField` (`ai`, `browser`).
     */
    readonly shape: "list" | "record" | "names" | "single";
    /** The field holding the binding name, for `list` and `single`. @default "binding" */
    readonly nameField?: string;
    /** For `single`: the binding name when the item has no `nameField` (wrangler's `assets` without `binding`). */
    readonly defaultName?: string;
    /** Sub-keys carried over; any other is reported as unsupported with {@link unsupportedReason}. */
    readonly knownKeys?: readonly string[];
    /** Why the other sub-keys are not carried over. */
    readonly unsupportedReason?: string;
    /**
     * For keys that hold items of several kinds (`unsafe.bindings`): undefined when an item is this kind's,
     * else why not (`type "x" is not a rate limit`). Items no mapping at the path takes are reported as
     * unsupported with these reasons. @default every item is this kind's
     */
    readonly accept?: (value: Readonly<Record<string, unknown>>) => string | undefined;
    /**
     * Lists the items itself instead of reading `path` by `shape`, for items named by something other than a
     * field of their own (a queue consumer names a queue, not a binding): each item's `path` is where it starts
     * in the environment, under `path`. @default one item per entry at `path`
     */
    readonly items?: (section: Readonly<Record<string, unknown>>) => ImportItem[];
    /**
     * The binding in `defineService`'s input shape, or undefined when it cannot be declared (after reporting
     * why through `ctx.note`).
     */
    readonly map: (item: ImportItem, ctx: ImportContext) => DeclaredBinding | undefined;
}

/** A live resource found in a wrangler item, to adopt. */
export interface AdoptionCandidate {
    /** The wrangler field holding its id (`id`, `database_id`, `bucket_name`). */
    readonly idField: string;
    /** The id as written; not a string when the file records none (queues are named, not identified). */
    readonly resourceId: unknown;
    /** The existing physical name when the file records it (D1 `database_name`, R2 bucket name). */
    readonly name?: unknown;
    /**
     * A reason this item cannot be adopted even with a valid id, or undefined. Without an id, why the file has
     * none and how to adopt the resource anyway. @default "wrangler provisions one on deploy" when there is no id
     */
    readonly problem?: string;
}

/** The parts of a valid import id. */
export interface ParsedImportId {
    readonly accountId: string;
    /** Namespace id, database id, bucket name, queue id. */
    readonly resourceId: string;
    /** Further segments after the resource id (R2: the jurisdiction). */
    readonly rest: readonly string[];
}

/** How a live resource of this kind is adopted with Pulumi's `import` option. */
export interface Adoption {
    /** What the resource is called in messages (`KV namespace`). */
    readonly what: string;
    /** The provider's import id format, from the resource's `## Import` docs (`<account_id>/<namespace_id>`). */
    readonly format: string;
    /** What a resource id looks like, for messages (`32 hex characters`). */
    readonly idDescription: string;
    /** Valid resource ids (the segment after the account id). */
    readonly idPattern: RegExp;
    /** Whether the import id keeps the physical name, so `name` must equal it (R2: the bucket name). */
    readonly nameInId?: boolean;
    /** The import id of a resource. */
    readonly importId: (accountId: string, resourceId: string, binding: DeclaredBinding) => string;
    /** Parses an import id; a string is what is wrong with it. */
    readonly parseId: (id: string) => ParsedImportId | string;
    /** Problems of a parsed id against the declared binding (an R2 jurisdiction that differs). */
    readonly checkId?: (parsed: ParsedImportId, binding: DeclaredBinding) => string | undefined;
    /** The live resource a wrangler item names, for the importer. */
    readonly fromWrangler: (item: Record<string, unknown>, binding: DeclaredBinding | undefined) => AdoptionCandidate;
    /** A step left to the user after adopting (a KV title wrangler does not record), or undefined. */
    readonly afterAdopt?: (binding: string, importId: string) => string | undefined;
    /**
     * Why a declared binding has no resource of its own to adopt (a kv binding `sameAs` another: the other
     * adopts the namespace), or undefined when it has one. @default every binding has one
     */
    readonly sharedWith?: (binding: DeclaredBinding) => string | undefined;
}

/** A health check a kind's bindings get in the Worker's health report. */
export interface HealthCheck {
    /** What the check does, for the README table (`get of a probe key`). */
    readonly description: string;
    /** Extra fields the check needs from the declaration (a bound service's name). */
    readonly plan?: (binding: DeclaredBinding) => Readonly<Record<string, string>>;
    /**
     * Runs the check against `env[name]`; resolve to pass (optionally with a note), throw to fail. Messages
     * never contain values read from `env`.
     */
    readonly run: (binding: unknown, ctx: HealthRunContext) => Promise<string | void> | string | void;
}

/** Options and context of one health check run. */
export interface HealthRunContext {
    /** The planned check's name (the binding name) and its {@link HealthCheck.plan} fields. */
    readonly planned: { readonly name: string; readonly [field: string]: string };
    /** The health library's options (probe key, Durable Object name, PostgreSQL client, service paths). */
    readonly options: {
        readonly probeKey: string;
        readonly durableObjectName: string;
        readonly servicePath: string;
        readonly postgres?: (connectionString: string, query: string, signal: AbortSignal) => Promise<readonly Record<string, unknown>[]>;
    };
    /** Services already checking, for service checks. */
    readonly chain: readonly string[];
    /** Aborted when the check's time limit passes. */
    readonly signal: AbortSignal;
}

/** What the policy pack sees of a kind. */
export interface PolicyView {
    /** `type` values of the `WorkersScript` bindings that provide this kind (`kv_namespace`). */
    readonly scriptBindingTypes: readonly string[];
    /**
     * Type tokens of the resources that hold data and must be protected in production, with their name in
     * messages (`{ "cloudflare:index/d1Database:D1Database": "D1 database" }`).
     */
    readonly statefulTypes?: Readonly<Record<string, string>>;
}

/** Documentation of a kind, rendered into the README's table. */
export interface KindDocs {
    /** What it is (`Workers KV namespace`). */
    readonly title: string;
    /** The Cloudflare resource created per stack, or how it is referenced (`cloudflare.WorkersKvNamespace`). */
    readonly resource: string;
    /** The wrangler key (`kv_namespaces`). */
    readonly wranglerKey: string;
    /** Vendor documentation. */
    readonly url: string;
}

/** A kind's declaration schema: a strict zod object with `kind` as a literal. */
export type BindingSchema = z.ZodType<DeclaredBinding, { readonly kind: string }>;

/**
 * Everything about one binding kind. `S` is its declaration schema; callbacks receive the validated binding
 * (`z.output<S>`).
 */
export interface BindingKindDefinition<S extends BindingSchema = BindingSchema, B extends DeclaredBinding = z.output<S>> {
    /** The declaration's `kind` (`kv`). */
    readonly kind: B["kind"];
    /** The declaration schema: a strict zod object with `kind` as a literal, every field documented. */
    readonly schema: S;
    readonly docs: KindDocs;
    /** Cross-field rules of one binding against the whole declaration. */
    readonly check?: (binding: B, ctx: CheckContext) => ValidationIssue[];
    /** Names of other declared services this binding depends on (deployed first, checked to exist). */
    readonly dependsOnServices?: (binding: B) => readonly string[];
    /** Path of the field naming that service, below the binding, for messages. @default ["service"] */
    readonly servicePath?: readonly string[];
    /** Checks against the other services of the stack (a bound service must exist, export the class, ...). */
    readonly checkAgainstServices?: (binding: B, services: ReadonlyMap<string, DeclarationView>, at: (...path: PropertyKey[]) => string) => ValidationIssue[];
    /**
     * What the binding needs an entry module to export (a Durable Object or Workflow class, a named entrypoint):
     * checked against the exports of the bundled entry of this service, or of the bound service, before any
     * resource is registered (`infra/serviceFiles.ts`). @default nothing
     */
    readonly requiredExports?: (binding: B) => readonly RequiredExport[];
    /**
     * Checks of the files the binding names, in the service directory (a D1 migrations directory that must be a
     * directory), before any resource is registered (`infra/serviceFiles.ts`). @default none
     */
    readonly checkFiles?: (binding: B, ctx: FilesContext) => ValidationIssue[];
    /**
     * For kinds whose value is the Worker's configuration (vars, secrets): the binding must be a key of the
     * env contract; `label` names it in messages, `secret` says its value is a secret per stack
     * (`platform:secrets`), `defaultValue` is the declared default, checked against the contract.
     */
    readonly envContract?: { readonly label: string; readonly secret: boolean; readonly defaultValue?: (binding: B) => string };
    /**
     * What a bound service must declare for this binding to resolve, for stand-in declarations of services not
     * imported yet (`npm run import`'s self-check): a binding of its own, and Durable Object classes its
     * migrations create.
     */
    readonly targetStub?: (binding: B) => TargetStub | undefined;
    /** Whether the physical name must fit Cloudflare's name limit (D1, R2). @default false */
    readonly limitedName?: boolean;
    /**
     * How the binding's resource is named when not after the binding (`<script>-<binding slug>`): a Workflow is
     * named after its class, so other services can bind it by class.
     */
    readonly physicalName?: {
        /** The declaration field the name derives from, named in messages (`className`). */
        readonly from: string;
        /** The name in the stack whose script is `scriptName`; undefined when the binding creates nothing. */
        readonly of: (binding: B, scriptName: string) => string | undefined;
    };
    /** Whether a binding of this kind needs the stack's database (`platform:database`). @default false */
    readonly needsDatabase?: boolean;
    /**
     * Creates the binding's per-stack resources (or resolves a shared one); omitted when the kind has nothing to
     * create; undefined for a binding that has nothing of its own (a kv binding `sameAs` another).
     */
    readonly resources?: (binding: B, ctx: ResourceContext) => CreatedResources | undefined;
    /** Its `WorkersScript` / `WorkerVersion` binding; undefined when the kind is not a script binding. */
    readonly scriptBinding: (binding: B, ctx: ScriptBindingContext) => pulumi.Input<cloudflare.types.input.WorkersScriptBinding> | undefined;
    /**
     * Script-level arguments the binding brings beyond its binding entry (static assets' directory and
     * settings), merged into the `WorkersScript` args (and the `WorkerVersion`'s).
     */
    readonly scriptSettings?: (binding: B, ctx: ScriptSettingsContext) => Partial<cloudflare.WorkersScriptArgs>;
    /** Resources attached to the deployed script (a queue consumer), created after it. */
    readonly afterDeploy?: (binding: B, ctx: DeployedContext) => pulumi.Resource[];
    /** Adds its entry to the generated `wrangler.jsonc`. */
    readonly wrangler: (binding: B, ctx: WranglerContext) => void;
    /** How the importer reads it from wrangler config; omitted when no wrangler key maps to it. */
    readonly import?: ImportMapping;
    /**
     * Further places its items live in wrangler config (rate limits also in the legacy `unsafe.bindings`);
     * consumers read every mapping through {@link importMappings}. @default none
     */
    readonly importAlso?: readonly ImportMapping[];
    /** How a live resource is adopted; omitted when the kind has nothing to adopt. */
    readonly adoption?: Adoption;
    /** Its health check; omitted when the env contract covers it (vars, secrets). */
    readonly health?: HealthCheck;
    /** What the outputs name as its target (`id`, bucket name, class); undefined for none. */
    readonly summary?: (binding: B, resolved: ResolvedResource | undefined, scriptOf: (service: string) => string) => string | undefined;
    readonly policy: PolicyView;
}

/** A name a binding needs an entry module to export; see {@link BindingKindDefinition.requiredExports}. */
export interface RequiredExport {
    /** The exported name (a class name). */
    readonly name: string;
    /** The declared service whose entry module must export it. @default the binding's own service */
    readonly service?: string;
    /** The binding's field that names it (`className`), for the message's path. */
    readonly field: string;
    /** What it is, for messages (`Durable Object class`). */
    readonly what: string;
}

/** What {@link BindingKindDefinition.checkFiles} needs. */
export interface FilesContext {
    /** Absolute path of the service directory. */
    readonly root: string;
    /** Renders a path below the binding (`services.api.bindings.DB.migrationsDir`). */
    readonly at: (...path: PropertyKey[]) => string;
}

/** See {@link BindingKindDefinition.targetStub}. */
export interface TargetStub {
    readonly service: string;
    readonly binding?: DeclaredBinding;
    readonly sqliteClasses?: readonly string[];
}

/** Declares a kind with its binding type inferred from the schema. */
export function defineBindingKind<S extends BindingSchema>(definition: BindingKindDefinition<S>): BindingKindDefinition<S> {
    return definition;
}

/**
 * Adds one entry to the wrangler config at `path`: appended to the list there (created when missing), or,
 * for `record`, set under `key`.
 */
export function addWranglerEntry(config: Record<string, unknown>, path: readonly string[], entry: unknown, key?: string): void {
    let node = config;
    for (const segment of path.slice(0, -1)) {
        node = (node[segment] ??= {}) as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    if (key === undefined) {
        ((node[last] ??= []) as unknown[]).push(entry);
    } else {
        ((node[last] ??= {}) as Record<string, unknown>)[key] = entry;
    }
}

/** Reads `ResolvedResource[field]`, failing loudly when the resource was not resolved (a programming error). */
export function resolvedField(resolved: ResolvedResource | undefined, kind: string, field: string, binding: string): string {
    const value = resolved?.kind === kind ? resolved[field] : undefined;
    if (value === undefined) throw new Error(`binding ${binding} has no resolved ${kind} resource`);
    return value;
}

/** Every import mapping of a kind: its `import`, then its `importAlso` (`ratelimits`, then `unsafe.bindings`). */
export function importMappings(kind: Pick<BindingKindDefinition<any>, "import" | "importAlso">): readonly ImportMapping[] {
    return [...(kind.import === undefined ? [] : [kind.import]), ...(kind.importAlso ?? [])];
}
