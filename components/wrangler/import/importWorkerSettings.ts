/**
 * The worker-settings part of the wrangler import (`components/service/workerSettings.ts` is the other side):
 * `placement`, `limits`, `logpush`, `keep_vars`, `minify`, `rules`, `tail_consumers` carried over; `node_compat`
 * as the `nodejs_compat` compatibility flag; `find_additional_modules`, `base_dir`, `no_bundle` and `containers`
 * refused with a note naming the key. Pure; called by `importConfig.ts`.
 *
 * Key reference: https://developers.cloudflare.com/workers/wrangler/configuration/ and wrangler 4.86's
 * `config-schema.json`. One declaration serves every stack: the settings come from the first mapped
 * environment (production first); `placement`, `limits` and `logpush` that differ in another environment
 * become that stack's values (`platform:services.<name>.placement`, ...), the others are noted; tail consumers
 * are the union over the environments (as bindings are).
 */
import { z } from "zod";
import {
    limitsSchema, placementSchema, SCRIPT_EXTENSIONS, DEFAULT_MODULE_RULES,
    type Limits, type ModuleRule, type ModuleType, type Placement,
} from "../../service/workerSettings";
import type { ServiceDeclarationInput } from "../../service/declaration";
import type { RawConfig } from "./environments";
import { serviceNameFrom, type MappedEnv, type Note } from "./importContext";

/** The wrangler keys this module reads; the importer reports no other note for them. */
export const WORKER_SETTINGS_KEYS: readonly string[] = [
    "placement", "limits", "logpush", "keep_vars", "minify", "rules", "find_additional_modules", "base_dir", "no_bundle",
    "node_compat", "tail_consumers", "containers",
];

const text = z.string();
/**
 * The shape of these keys in a section (top level or `env.<name>`), spread into the importer's schema
 * (`wranglerSchema.ts`), so a malformed value is an exit-2 error with its path.
 */
export const WORKER_SETTINGS_SECTION_SHAPE = {
    placement: z.looseObject({ mode: text.optional(), hint: text.optional(), region: text.optional(), host: text.optional(), hostname: text.optional() }).optional(),
    limits: z.looseObject({ cpu_ms: z.number().optional(), subrequests: z.number().optional() }).optional(),
    logpush: z.boolean().optional(),
    keep_vars: z.boolean().optional(),
    minify: z.boolean().optional(),
    rules: z.array(z.looseObject({ type: text, globs: z.array(text), fallthrough: z.boolean().optional() })).optional(),
    find_additional_modules: z.boolean().optional(),
    base_dir: text.optional(),
    no_bundle: z.boolean().optional(),
    node_compat: z.boolean().optional(),
    tail_consumers: z.array(z.looseObject({ service: text.min(1, { error: "expected the tail Worker's name, a non-empty string" }), environment: text.optional() })).optional(),
    // `class_name` may be missing: newer wranglers attach a container to its class through `exports`.
    containers: z.array(z.looseObject({ class_name: text.min(1, { error: "expected the Durable Object class, a non-empty string" }).optional() })).optional(),
};

/** The worker settings of an imported declaration, in `defineService`'s input shape; unset ones left out. */
export interface ImportedWorkerSettings {
    readonly placement?: Placement;
    readonly limits?: Limits;
    readonly logpush?: boolean;
    readonly keepVars?: boolean;
    readonly minify?: boolean;
    readonly moduleRules?: readonly ModuleRule[];
    readonly tailConsumers?: readonly { readonly service: string }[];
}

/** The settings a stack overrides (`platform:services.<name>`), only where its environment differs from the declaration. */
export interface ImportedStackSettings {
    readonly placement?: Placement;
    readonly limits?: Limits;
    readonly logpush?: boolean;
}

/** What {@link importWorkerSettings} found. */
export interface WorkerSettingsImport {
    /** The declaration's settings. */
    readonly declaration: ImportedWorkerSettings;
    /** Compatibility flags the settings add (`nodejs_compat` for `node_compat = true`). */
    readonly compatibilityFlags: readonly string[];
    /** The stack values of one mapped environment. */
    readonly overridesFor: (m: MappedEnv) => ImportedStackSettings;
}

/** The settings as `defineService` input fields (fresh, mutable copies). */
export function workerSettingsInput(settings: ImportedWorkerSettings): Partial<ServiceDeclarationInput> {
    return {
        ...(settings.placement === undefined ? {} : { placement: { ...settings.placement } }),
        ...(settings.limits === undefined ? {} : { limits: { ...settings.limits } }),
        ...(settings.logpush === undefined ? {} : { logpush: settings.logpush }),
        ...(settings.keepVars === undefined ? {} : { keepVars: settings.keepVars }),
        ...(settings.minify === undefined ? {} : { minify: settings.minify }),
        ...(settings.moduleRules === undefined ? {} : { moduleRules: settings.moduleRules.map((r) => ({ type: r.type, extensions: [...r.extensions] })) }),
        ...(settings.tailConsumers === undefined ? {} : { tailConsumers: settings.tailConsumers.map((t) => ({ service: t.service })) }),
    };
}

/**
 * Reads the settings of every mapped environment (`mapped[0]` first); notes what is not carried over as it was.
 * @param raw the whole file, for the top-level-only `keep_vars`.
 */
export function importWorkerSettings(raw: RawConfig, mapped: readonly MappedEnv[], serviceName: string, note: Note): WorkerSettingsImport {
    const base = mapped[0]!;
    const perStack = new Map(mapped.map((m) => [m, {
        placement: placementOf(m, note),
        limits: limitsOf(m, note),
        logpush: typeof m.env.logpush === "boolean" ? m.env.logpush : undefined,
    }]));
    const declared = perStack.get(base)!;
    const moduleRules = rulesOf(base, note);
    for (const m of mapped.slice(1)) {
        if (JSON.stringify(m.env.rules ?? []) !== JSON.stringify(base.env.rules ?? [])) {
            note(m.environment, m.at("rules"), "changed", `differs from ${base.label}'s; one declaration serves every stack: declared as ${base.label}'s`);
        }
        if (m.env.minify !== base.env.minify) {
            note(m.environment, m.at("minify"), "changed", `differs from ${base.label}'s; one declaration serves every stack: declared as ${JSON.stringify(base.env.minify ?? "unset (minified)")}`);
        }
    }
    for (const m of mapped) refuseBundlingKeys(m, note);
    for (const m of mapped) refuseContainers(m, note);
    const tailConsumers = tailConsumersOf(mapped, serviceName, note);
    const compatibilityFlags = nodeCompatOf(mapped, note);

    const declaration: ImportedWorkerSettings = {
        ...(declared.placement === undefined ? {} : { placement: declared.placement }),
        ...(declared.limits === undefined ? {} : { limits: declared.limits }),
        ...(declared.logpush === undefined ? {} : { logpush: declared.logpush }),
        ...(raw.keep_vars === true ? { keepVars: true } : {}),
        ...(typeof base.env.minify === "boolean" ? { minify: base.env.minify } : {}),
        ...(moduleRules.length === 0 ? {} : { moduleRules }),
        ...(tailConsumers.length === 0 ? {} : { tailConsumers: tailConsumers.map((service) => ({ service })) }),
    };
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    const overrides = new Map(mapped.map((m): [MappedEnv, ImportedStackSettings] => {
        const own = perStack.get(m)!;
        // Unset in a stack whose declaration sets it: the stack says so explicitly (placement off, logpush off).
        const placement = own.placement ?? (declared.placement === undefined ? undefined : { mode: "off" as const });
        const logpush = own.logpush ?? (declared.logpush === undefined ? undefined : false);
        if (own.limits === undefined && declared.limits !== undefined) {
            // Cloudflare's default limits have no value to write: the stack keeps the declaration's.
            note(m.environment, m.at("limits"), "changed", `not set, unlike ${base.label}; one declaration serves every stack: this stack gets ${base.label}'s limits`);
        }
        return [m, {
            ...(placement === undefined || same(placement, declared.placement ?? { mode: "off" }) ? {} : { placement }),
            ...(own.limits === undefined || same(own.limits, declared.limits) ? {} : { limits: own.limits }),
            ...(logpush === undefined || logpush === (declared.logpush ?? false) ? {} : { logpush }),
        }];
    }));
    return { declaration, compatibilityFlags, overridesFor: (m) => overrides.get(m) ?? {} };
}

/**
 * wrangler's `placement` (`{ mode: "off" | "smart", hint? }`, `{ mode?: "targeted", region | host | hostname }`);
 * `off` and none are both Cloudflare's default. A Smart Placement `hint` is not carried (the provider has none).
 */
function placementOf(m: MappedEnv, note: Note): Placement | undefined {
    const raw = m.env.placement as RawConfig | undefined;
    if (raw === undefined) return undefined;
    const targeted = ["region", "host", "hostname"].filter((k) => raw[k] !== undefined);
    if (raw.hint !== undefined) {
        note(m.environment, m.at("placement", "hint"), "changed",
            "not carried: @pulumi/cloudflare 6.22.1 has no placement hint (WorkersScriptPlacement: mode, region, host, hostname); declared as Smart Placement without a hint");
    }
    const candidate = targeted.length > 0 ? { mode: "targeted", ...Object.fromEntries(targeted.map((k) => [k, raw[k]])) }
        : raw.hint !== undefined ? { mode: "smart" } : { mode: raw.mode };
    const parsed = placementSchema.safeParse(candidate);
    if (!parsed.success) {
        note(m.environment, m.at("placement"), "unsupported", `${JSON.stringify(raw)} is not a placement the platform accepts (${parsed.error.issues[0]?.message}); not imported`);
        return undefined;
    }
    return parsed.data.mode === "off" ? undefined : parsed.data;
}

/** wrangler's `limits` (`cpu_ms`, `subrequests`) as the declaration's (`cpuMs`, `subrequests`). */
function limitsOf(m: MappedEnv, note: Note): Limits | undefined {
    const raw = m.env.limits as RawConfig | undefined;
    if (raw === undefined) return undefined;
    for (const key of Object.keys(raw)) {
        if (key !== "cpu_ms" && key !== "subrequests") note(m.environment, m.at("limits", key), "unsupported", "not a limit the platform sets (cpu_ms, subrequests); not imported");
    }
    const candidate = {
        ...(raw.cpu_ms === undefined ? {} : { cpuMs: raw.cpu_ms }),
        ...(raw.subrequests === undefined ? {} : { subrequests: raw.subrequests }),
    };
    if (Object.keys(candidate).length === 0) return undefined;
    const parsed = limitsSchema.safeParse(candidate);
    if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const key = issue.path[0] === "cpuMs" ? "cpu_ms" : "subrequests";
        note(m.environment, m.at("limits", key), "unsupported", `${JSON.stringify(raw[key])}: ${issue.message}; limits not imported`);
        return undefined;
    }
    return parsed.data;
}

/** A wrangler glob the bundler can apply: any file with one extension (`**\/*.html`, `*.html`). */
const EXTENSION_GLOB = /^(?:\*\*\/)?\*\.([a-z0-9][a-z0-9_-]*)$/;
const MODULE_RULE_TYPES: readonly string[] = ["Text", "Data", "CompiledWasm"];

/**
 * wrangler's `rules` as module rules: Text, Data and CompiledWasm rules whose globs name an extension. Rules of
 * JavaScript types only matter with `find_additional_modules` / `no_bundle` (wrangler's bundler compiles
 * JavaScript imports either way), Python rules and path globs have no equivalent: noted.
 */
function rulesOf(m: MappedEnv, note: Note): ModuleRule[] {
    const rules = (m.env.rules ?? []) as { type: string; globs: string[]; fallthrough?: boolean }[];
    const typed = new Map<string, number>();
    const out: ModuleRule[] = [];
    rules.forEach((rule, i) => {
        if (rule.type === "ESModule" || rule.type === "CommonJS") {
            note(m.environment, m.at("rules", i), "unsupported",
                `${rule.type} rules only matter with find_additional_modules or no_bundle, which the platform does not support; the bundler compiles JavaScript imports itself. Not imported`);
            return;
        }
        if (!MODULE_RULE_TYPES.includes(rule.type)) {
            note(m.environment, m.at("rules", i, "type"), "unsupported", `"${rule.type}" modules are not supported (the platform uploads Text, Data and CompiledWasm modules); not imported`);
            return;
        }
        const extensions: string[] = [];
        rule.globs.forEach((glob, j) => {
            const extension = EXTENSION_GLOB.exec(glob)?.[1];
            if (extension === undefined || SCRIPT_EXTENSIONS.has(extension)) {
                note(m.environment, m.at("rules", i, "globs", j), "unsupported", extension === undefined
                    ? `"${glob}" is not a glob the platform applies (it types imports by file extension: **/*.<ext>); not imported`
                    : `"${glob}" names a script extension, which the bundler compiles; not imported`);
                return;
            }
            const other = typed.get(extension);
            if (other !== undefined) {
                note(m.environment, m.at("rules", i, "globs", j), "changed", `*.${extension} is already typed by rules[${other}] (wrangler applies the first matching rule); left out`);
                return;
            }
            typed.set(extension, i);
            extensions.push(extension);
        });
        if (extensions.length === 0) return;
        out.push({ type: rule.type as ModuleType, extensions });
        if (rule.fallthrough !== true) {
            const dropped = DEFAULT_MODULE_RULES.filter((d) => d.type === rule.type).flatMap((d) => d.extensions).filter((e) => !extensions.includes(e));
            if (dropped.length > 0) {
                note(m.environment, m.at("rules", i, "fallthrough"), "changed",
                    `without fallthrough = true wrangler drops its default ${rule.type} rule (${dropped.map((e) => `**/*.${e}`).join(", ")}); ` +
                    `the platform keeps wrangler's default rules behind the declared ones, so those imports work as ${rule.type} modules`);
            }
        }
    });
    return out;
}

/** `find_additional_modules`, `base_dir` and `no_bundle`: the platform always bundles `main` and uploads what it imports. */
function refuseBundlingKeys(m: MappedEnv, note: Note): void {
    if (m.env.find_additional_modules === true) {
        note(m.environment, m.at("find_additional_modules"), "unsupported",
            "not supported: the platform uploads the modules the bundle imports, not every file below base_dir that matches a rule (files loaded by dynamic import() are not uploaded); not imported");
    }
    if (m.env.no_bundle === true) {
        note(m.environment, m.at("no_bundle"), "unsupported", "not supported: the platform always bundles main with esbuild (components/cloudflare/bundle.ts); not imported");
    }
    if (m.env.base_dir !== undefined) {
        note(m.environment, m.at("base_dir"), "unsupported",
            "not supported: it only places the files find_additional_modules / no_bundle upload, which the platform does not do; not imported");
    }
}

/**
 * `containers`: Cloudflare Containers cannot be created (@pulumi/cloudflare 6.22.1 has no container application
 * resource); each is refused, and the Durable Object binding of its class with it (`durableObject.ts`).
 */
function refuseContainers(m: MappedEnv, note: Note): void {
    const containers = (m.env.containers ?? []) as RawConfig[];
    const bindings = (((m.env.durable_objects as RawConfig | undefined)?.bindings ?? []) as RawConfig[]);
    containers.forEach((container, i) => {
        const unsupported = "Cloudflare Containers are not supported (@pulumi/cloudflare 6.22.1 has no container application resource to build and run image " +
            `${JSON.stringify(container.image ?? "?")}); not imported`;
        if (typeof container.class_name !== "string") {
            note(m.environment, m.at("containers", i), "unsupported", `${unsupported}. Keep deploying this Worker with wrangler`);
            return;
        }
        const className = container.class_name;
        const bound = bindings.filter((b) => b.class_name === className && b.script_name === undefined).map((b) => String(b.name));
        note(m.environment, m.at("containers", i), "unsupported",
            `${unsupported}, and neither ${bound.length === 0 ? `is a Durable Object binding of class ${className}` : `is the Durable Object binding ${bound.join(", ")} of class ${className}`}, ` +
            "which would run without its container. Keep deploying this Worker with wrangler");
    });
}

/**
 * The tail consumers of every mapped environment, as declared service names (union, first environment
 * first); each named by the Worker it sends events to, noted.
 */
function tailConsumersOf(mapped: readonly MappedEnv[], serviceName: string, note: Note): string[] {
    const out: string[] = [];
    const from = new Map<string, string>();
    for (const m of mapped) {
        const own: string[] = [];
        ((m.env.tail_consumers ?? []) as RawConfig[]).forEach((consumer, i) => {
            const script = String(consumer.service);
            const target = serviceNameFrom(script);
            if (target === undefined) {
                note(m.environment, m.at("tail_consumers", i, "service"), "unsupported", `"${script}" cannot be a service name; not imported`);
                return;
            }
            if (target === serviceName) {
                note(m.environment, m.at("tail_consumers", i), "unsupported", "a Worker cannot be its own Tail Worker; not imported");
                return;
            }
            if (consumer.environment !== undefined) {
                note(m.environment, m.at("tail_consumers", i, "environment"), "changed",
                    `service environment "${String(consumer.environment)}" is not used: the platform sends events to the consumer's script in the same stack`);
            }
            note(m.environment, m.at("tail_consumers", i, "service"), "changed",
                `events go to Worker "${script}"; the platform sends them to declared service "${target}" (script "${target}-${m.stack}"): declare or import that service too`);
            own.push(target);
            if (!out.includes(target)) {
                out.push(target);
                from.set(target, m.label);
            }
        });
        for (const target of out.filter((t) => !own.includes(t) && from.get(t) !== m.label)) {
            note(m.environment, m.at("tail_consumers"), "changed",
                `has no tail consumer "${target}" (from ${from.get(target)}); one declaration serves every stack: stack ${m.stack} sends its events there too`);
        }
    }
    return out;
}

/**
 * wrangler 3's `node_compat = true` (removed in wrangler 4, which points to the flag): the `nodejs_compat`
 * compatibility flag. Source: https://developers.cloudflare.com/workers/runtime-apis/nodejs/
 */
function nodeCompatOf(mapped: readonly MappedEnv[], note: Note): string[] {
    const base = mapped[0]!;
    const flagged = ((base.env.compatibility_flags ?? []) as string[]).includes("nodejs_compat");
    for (const m of mapped) {
        if (m.env.node_compat !== true) continue;
        note(m.environment, m.at("node_compat"), "changed",
            flagged ? "wrangler 3's Node.js polyfills, removed in wrangler 4; the nodejs_compat flag the declaration has covers them"
            : base.env.node_compat === true
                ? "wrangler 3's Node.js polyfills, removed in wrangler 4: declared as the nodejs_compat compatibility flag instead (Node.js APIs from the runtime; " +
                  "import built-ins as node:<module>, and check the compatibility date is 2024-09-23 or later for the full set)"
                : `wrangler 3's Node.js polyfills, which ${base.label} does not use; one declaration serves every stack: declared without the nodejs_compat flag, as ${base.label}`);
    }
    return base.env.node_compat === true && !flagged ? ["nodejs_compat"] : [];
}
