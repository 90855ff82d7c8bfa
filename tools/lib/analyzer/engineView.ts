/**
 * The engine's view of the resources: which registrations the engine analyzes and in which order
 * (`pkg/resource/deploy/step_generator.go` `generateSteps`), the default providers it registers on the
 * program's behalf (`pkg/resource/deploy/source_eval.go`, `pkg/resource/deploy/target.go`), and URNs.
 */
import type { EngineConfig } from "../stackFiles";
import { secretWire } from "../wire";
import { localRequire } from "./sdk";
import type { PolicyResource, RunPolicyPackOptions } from "./types";

/** A resource as the step generator holds it when it calls the analyzers. */
export interface EngineResource {
    readonly urn: string;
    readonly type: string;
    /** `URN.Name()`. */
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string;
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    /** `undefined` when the program did not set it (the engine's nil pointer). */
    readonly deleteBeforeReplace: boolean | undefined;
    readonly additionalSecretOutputs: readonly string[];
    readonly aliases: readonly string[];
    readonly customTimeouts: { readonly create: number; readonly update: number; readonly delete: number };
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** Inputs in wire form (secrets as markers). */
    readonly inputs: Record<string, unknown>;
    /** Outputs in wire form. */
    readonly outputs: Record<string, unknown>;
    /** URN of the provider resource, when the resource has one (custom resources and explicit ones). */
    readonly providerUrn: string | undefined;
    /** `false` for imports: the engine returns an import step before running the analyzers. */
    readonly analyzed: boolean;
    /** `true` for a default provider the engine registers on the program's behalf. */
    readonly defaultProvider: boolean;
}

/** Options of {@link engineResourceView}. */
export interface EngineViewOptions {
    readonly project: string;
    readonly stack: string;
    /** Stack config: the inputs of default providers. */
    readonly stackConfig: EngineConfig;
    /** Provider package → version for default providers; see {@link RunPolicyPackOptions.providerVersions}. */
    readonly providerVersions?: Readonly<Record<string, string>>;
}

const PROVIDER_TYPE_PREFIX = "pulumi:providers:";
/** Dynamic provider packages get the whole stack config, keys kept namespaced (`target.go` `GetPackageConfig`). */
const DYNAMIC_PROVIDER_PACKAGES = new Set(["pulumi-nodejs", "pulumi-python"]);

/**
 * Turns the program's registrations into what the engine holds when it calls the analyzers, in the order
 * it calls them: a default provider is registered (and analyzed) right before the first custom resource
 * that needs it, as `source_eval.go` blocks that registration on `getDefaultProviderRef`.
 * @throws {Error} when a resource names a provider that was not registered before it
 */
export function engineResourceView(resources: readonly PolicyResource[], options: EngineViewOptions): EngineResource[] {
    const view: EngineResource[] = [];
    const providers = new Map<string, EngineResource>();
    for (const r of resources) {
        let providerUrn: string | undefined;
        if (r.provider !== "") {
            providerUrn = providerReferenceUrn(r.provider);
            if (!providers.has(providerUrn)) {
                throw new Error(`${r.urn}: provider ${r.provider} was not registered before the resource; the engine rejects unknown providers`);
            }
        } else if (r.custom && !isProviderType(r.type)) {
            const pkg = typePackage(r.type);
            const version = r.version ?? options.providerVersions?.[pkg] ?? installedProviderVersion(pkg);
            const provider = defaultProvider(pkg, version, options);
            if (!providers.has(provider.urn)) {
                providers.set(provider.urn, provider);
                view.push(provider);
            }
            providerUrn = provider.urn;
        }
        const entry: EngineResource = {
            urn: r.urn,
            type: r.type,
            name: urnName(r.urn),
            custom: r.custom,
            parent: r.parent,
            protect: r.protect,
            ignoreChanges: r.ignoreChanges,
            deleteBeforeReplace: (r.deleteBeforeReplaceDefined ?? r.deleteBeforeReplace) ? r.deleteBeforeReplace : undefined,
            additionalSecretOutputs: r.additionalSecretOutputs,
            aliases: r.aliases ?? [],
            customTimeouts: { create: r.customTimeouts?.create ?? 0, update: r.customTimeouts?.update ?? 0, delete: r.customTimeouts?.delete ?? 0 },
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies ?? {},
            inputs: r.inputs,
            outputs: r.outputs,
            providerUrn,
            // step_generator.go: `isImport := goal.Custom && goal.ID != "" && (!hasOld || ...)` returns an
            // ImportStep before the analyzers run; offline there is no old state.
            analyzed: !(r.custom && r.importId !== ""),
            defaultProvider: false,
        };
        if (isProviderType(r.type)) providers.set(r.urn, entry);
        view.push(entry);
    }
    return view;
}

/** `source_eval.go` `newRegisterDefaultProviderEvent` + `ProviderRequest.DefaultName`. */
function defaultProvider(pkg: string, version: string | undefined, options: EngineViewOptions): EngineResource {
    const name = `default${version === undefined ? "" : versionSuffix(version)}`;
    const type = `${PROVIDER_TYPE_PREFIX}${pkg}`;
    const inputs: Record<string, unknown> = packageConfig(pkg, options.stackConfig);
    if (version !== undefined) inputs.version = version;
    return {
        urn: `urn:pulumi:${options.stack}::${options.project}::${type}::${name}`,
        type,
        name,
        custom: true,
        parent: "",
        protect: false,
        ignoreChanges: [],
        deleteBeforeReplace: undefined,
        additionalSecretOutputs: [],
        aliases: [],
        customTimeouts: { create: 0, update: 0, delete: 0 },
        dependencies: [],
        propertyDependencies: {},
        inputs,
        // The provider registry's preview of a provider returns its inputs as outputs.
        outputs: inputs,
        providerUrn: undefined,
        analyzed: true,
        defaultProvider: true,
    };
}

/** `_<major>_<minor>_<patch>[_<pre>…][_<build>…]`, as `ProviderRequest.DefaultName`. */
function versionSuffix(version: string): string {
    const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version);
    if (match === null) throw new Error(`provider version ${JSON.stringify(version)} is not a semantic version`);
    const [, major, minor, patch, pre, build] = match;
    const parts = [major, minor, patch, ...(pre?.split(".") ?? []), ...(build?.split(".") ?? [])];
    return parts.map((p) => `_${p}`).join("");
}

/** `target.go` `GetPackageConfig`: config values are strings, secret keys become secrets. */
function packageConfig(pkg: string, config: EngineConfig): Record<string, unknown> {
    const secret = new Set(config.secretKeys);
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config.config)) {
        const sep = key.indexOf(":");
        const namespace = sep < 0 ? "" : key.slice(0, sep);
        const dynamic = DYNAMIC_PROVIDER_PACKAGES.has(pkg);
        if (!dynamic && namespace !== pkg) continue;
        result[dynamic ? key : key.slice(sep + 1)] = secret.has(key) ? secretWire(value) : value;
    }
    return result;
}

/** The version the generated SDK sends (`utilities.getVersion()` reads its package.json). */
function installedProviderVersion(pkg: string): string | undefined {
    if (DYNAMIC_PROVIDER_PACKAGES.has(pkg)) return undefined;
    try {
        const manifest = localRequire(`@pulumi/${pkg}/package.json`) as { version?: unknown };
        return typeof manifest.version === "string" ? manifest.version.replace(/^v/, "") : undefined;
    } catch {
        return undefined;
    }
}

export function isProviderType(type: string): boolean {
    return type.startsWith(PROVIDER_TYPE_PREFIX);
}

/** `tokens.Type.Package()`: the first segment of the type token. */
function typePackage(type: string): string {
    return type.split(":")[0] ?? type;
}

/** `providers.ParseReference`: `<urn>::<id>`, split at the last `::`. */
function providerReferenceUrn(ref: string): string {
    const sep = ref.lastIndexOf("::");
    return sep < 0 ? ref : ref.slice(0, sep);
}

/** `URN.Name()`: everything after the third `::` (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
function urnName(urn: string): string {
    return urn.split("::").slice(3).join("::");
}
