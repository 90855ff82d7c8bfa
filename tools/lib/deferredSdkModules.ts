/**
 * Keeps modules that the Pulumi SDK loads but the tools' processes never use from loading, each replaced in
 * Node's module cache by a stand-in that loads the real module the first time it is used, so the SDK works
 * unchanged should it ever need it:
 *
 * - `@npmcli/arborist` (npm's dependency-tree library, with pacote, sigstore and npm-registry-fetch behind it):
 *   about 0.2 s of CPU per plan on these machines. `@pulumi/pulumi` (3.248.0) loads it at the top of
 *   `runtime/closure/codePaths.js`, which its root module loads through `automation` → `runtime`, and uses it in
 *   one place: `new arborist.Arborist({ path })` inside `computeCodePaths`, which packages a function's
 *   dependencies for serialized Lambda-style callbacks. The platform's dynamic providers are serialized with
 *   `serializeFunction`, which never calls it. Importing this module defers it ({@link deferArborist}): import
 *   it before anything imports `@pulumi/pulumi`.
 * - The TypeScript compiler (`typescript-shim.js` of the SDK, about 0.15 s to load): the SDK loads it at the
 *   top of `runtime/closure/parseFunction.js` and uses it only to serialize a function (a dynamic provider),
 *   which the plan does but a policy pack never does: {@link deferTypeScript}, for the built policy pack's
 *   process (`./analyzer/packBuild.ts`).
 * - The Automation API (`@pulumi/pulumi/automation`), which the SDK's root module loads and a policy pack never
 *   uses: {@link deferAutomation}, for the built policy pack's process too.
 *
 * A module already loaded, or one that does not resolve from the SDK (another SDK layout), is left alone.
 */
import { createRequire, Module } from "node:module";

/** The SDK module that loads `@npmcli/arborist`. */
const SDK_CODE_PATHS = "@pulumi/pulumi/runtime/closure/codePaths.js";
const ARBORIST = "@npmcli/arborist";
/** The SDK's module that loads `typescript` (or its vendored copy). */
const SDK_TYPESCRIPT = "@pulumi/pulumi/typescript-shim.js";
/** The SDK's root module, which loads the Automation API. */
const SDK_ROOT = "@pulumi/pulumi/index.js";

/**
 * Installs the stand-in for `@npmcli/arborist`: its `Arborist`, when constructed, loads the real module and
 * returns the real `Arborist`.
 * @returns the path of `@npmcli/arborist` it stands in for, or undefined when it installed nothing.
 */
export function deferArborist(): string | undefined {
    return deferModule(SDK_CODE_PATHS, ARBORIST, (load) => ({
        Arborist: class Arborist {
            constructor(...args: unknown[]) {
                return new ((load() as { Arborist: new (...a: unknown[]) => object }).Arborist)(...args);
            }
        },
    }));
}

/**
 * Installs the stand-in for the SDK's `typescript-shim.js`: reading any property of it (`ts.createSourceFile`,
 * `ts.SyntaxKind`) loads the real module and reads it there.
 * @returns the path of the module it stands in for, or undefined when it installed nothing.
 */
export function deferTypeScript(): string | undefined {
    return deferModule(SDK_TYPESCRIPT, SDK_TYPESCRIPT, lazyModule);
}

/**
 * Installs the stand-in for the SDK's Automation API (`@pulumi/pulumi/automation`, with execa, js-yaml and
 * normalize-package-data behind it, about 0.05 s to load), which the SDK's root module loads and a policy pack
 * never uses: reading any property of `pulumi.automation` loads the real module.
 * @returns the path of the module it stands in for, or undefined when it installed nothing.
 */
export function deferAutomation(): string | undefined {
    return deferModule(SDK_ROOT, "./automation", lazyModule);
}

/**
 * A module object that loads the real module when any property is read, except `__esModule` (true for the
 * SDK's modules, compiled from TypeScript), which `__importStar` reads when the SDK imports it.
 */
function lazyModule(load: () => unknown): object {
    return new Proxy({}, {
        get: (_, key) => (key === "__esModule" ? true : Reflect.get(load() as object, key)),
        has: (_, key) => Reflect.has(load() as object, key),
    });
}

/**
 * Puts `standIn(load)` into Node's module cache under the path `request` resolves to from `sdkFile` (how the SDK
 * requires it); `load` removes the stand-in and loads the real module, once.
 * @returns that path, or undefined when it does not resolve or the module is loaded already.
 */
function deferModule(sdkFile: string, request: string, standIn: (load: () => unknown) => unknown): string | undefined {
    let sdkRequire: NodeJS.Require;
    let resolved: string;
    try {
        sdkRequire = createRequire(require.resolve(sdkFile));
        resolved = sdkRequire.resolve(request);
    } catch {
        return undefined;
    }
    if (require.cache[resolved] !== undefined) return undefined;
    let real: unknown;
    const load = () => {
        if (real === undefined) {
            delete require.cache[resolved];
            real = sdkRequire(resolved);
        }
        return real;
    };
    const entry = new Module(resolved);
    entry.filename = resolved;
    entry.loaded = true;
    entry.exports = standIn(load);
    require.cache[resolved] = entry;
    return resolved;
}

deferArborist();
