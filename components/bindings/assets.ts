/**
 * Static assets: a directory uploaded with the Worker, served in front of it, and bound as a fetcher
 * (`env.ASSETS.fetch(request)`). At most one per Worker.
 * Sources: https://developers.cloudflare.com/workers/static-assets/binding/ (keys and defaults),
 * https://developers.cloudflare.com/workers/static-assets/routing/ (routing options); the upload is
 * `assets` of `@pulumi/cloudflare` 6.22.1 `WorkersScriptArgs` / `WorkerVersionArgs`
 * (`types/input.d.ts`: `WorkersScriptAssets { directory, config, jwt, assetManifestSha256 }`).
 *
 * Unchanged assets never show a diff: the script's inputs carry the directory as a path relative to the
 * working directory (the same on every machine) and a SHA-256 of the files (`assetsManifest.ts`) in the
 * version message, so they change exactly when a file does. The provider's own `assetManifestSha256` is
 * computed-only in the Terraform schema (the Pulumi types list it as an input: pulumi-terraform-bridge#2178)
 * and is left unset; the provider computes it from the same files at plan time.
 */
import { z } from "zod";
import { checkAssets } from "../health/checks";
import { relativePathProblem, relativePathSchema } from "../service/names";
import { ValidationError } from "../validation";
import { readAssetsDirectory, relativeToWorkingDirectory } from "./assetsManifest";
import { defineBindingKind } from "./kind";

/** The binding name the importer gives wrangler `assets` without a `binding`. */
export const DEFAULT_ASSETS_BINDING = "ASSETS";
/** The declaration's default `health.path`, which imported declarations keep. */
const DEFAULT_HEALTH_PATH = "/health";

/**
 * `html_handling` values. Source: https://developers.cloudflare.com/workers/static-assets/routing/advanced/html-handling/
 */
export const HTML_HANDLING = ["auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none"] as const;
/**
 * `not_found_handling` values. Source: https://developers.cloudflare.com/workers/static-assets/routing/
 */
export const NOT_FOUND_HANDLING = ["none", "404-page", "single-page-application"] as const;

/**
 * Most `run_worker_first` rules, and longest rule in characters: 100 each (wrangler 4.86
 * `MAX_ROUTES_RULES` / `MAX_ROUTES_RULE_LENGTH`, `@cloudflare/workers-shared`).
 */
export const MAX_RUN_WORKER_FIRST_RULES = 100;
const MAX_RULE_LENGTH = 100;

/** A problem of a `run_worker_first` rule list; `index` is the offending rule's, absent for the whole list. */
export interface RuleProblem {
    readonly index?: number;
    readonly message: string;
}

/**
 * The problems wrangler and the API reject in `run_worker_first` path rules, checked as wrangler 4.86's
 * `parseStaticRouting` checks them (https://developers.cloudflare.com/workers/static-assets/binding/#run_worker_first):
 * at least one rule and at most {@link MAX_RUN_WORKER_FIRST_RULES}; each starts with `/` (to the Worker) or
 * `!/` (to the assets); at least one non-negative rule; at most 100 characters; no duplicates; none made
 * redundant by a `*` rule of the same sign.
 */
export function runWorkerFirstProblems(rules: readonly string[]): RuleProblem[] {
    if (rules.length === 0) return [{ message: "expected at least one rule (or true / false)" }];
    if (rules.length > MAX_RUN_WORKER_FIRST_RULES) return [{ message: `expected at most ${MAX_RUN_WORKER_FIRST_RULES} rules, got ${rules.length}` }];
    const problems: RuleProblem[] = [];
    const groups: { index: number; rule: string }[][] = [[], []];
    rules.forEach((rule, index) => {
        if (rule.startsWith("!/")) groups[1]!.push({ index, rule });
        else if (rule.startsWith("/")) groups[0]!.push({ index, rule });
        else problems.push({ index, message: `"${rule}": ${rule.startsWith("!") ? "a negative rule must start with !/" : "a rule must start with / or !/"}` });
    });
    if (groups[1]!.length > 0 && groups[0]!.length === 0) {
        problems.push({ message: "only negative rules: add at least one rule that sends paths to the Worker (\"/api/*\")" });
    }
    for (const group of groups) {
        const seen = new Set<string>();
        for (const { index, rule } of group) {
            if (rule.length > MAX_RULE_LENGTH) problems.push({ index, message: `"${rule}" is longer than ${MAX_RULE_LENGTH} characters` });
            if (seen.has(rule)) {
                problems.push({ index, message: `"${rule}" is a duplicate; rules must be unique` });
                continue;
            }
            seen.add(rule);
            if (!rule.endsWith("*")) continue;
            for (const other of group) {
                if (other.rule !== rule && other.rule.startsWith(rule.slice(0, -1))) {
                    problems.push({ index: other.index, message: `"${other.rule}" is redundant: rule "${rule}" already covers it` });
                }
            }
        }
    }
    return problems;
}

/**
 * Whether a `run_worker_first` rule matches a path: `*` matches any characters, everything else itself, over
 * the whole path (workers-shared `generateGlobOnlyRuleRegExp`, the router of wrangler 4.86's miniflare). A
 * negative rule (`!/static/*`) is matched without its `!`.
 */
export function ruleMatches(rule: string, pathname: string): boolean {
    const glob = rule.startsWith("!") ? rule.slice(1) : rule;
    return new RegExp(`^${glob.split("*").map((part) => part.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&")).join(".*")}$`).test(pathname);
}

/**
 * Why requests for `healthPath` would never reach the Worker, or undefined when they do. Cloudflare's router
 * (https://developers.cloudflare.com/workers/static-assets/routing/worker-script/): a negative rule sends
 * matching paths to the assets; with rules, a path no rule matches gets the not-found handling, so a
 * `"404-page"` or `"single-page-application"` answers it instead of the Worker.
 */
export function healthRoutingProblem(binding: { readonly notFoundHandling: string; readonly runWorkerFirst: boolean | readonly string[] }, healthPath: string): string | undefined {
    if (!Array.isArray(binding.runWorkerFirst)) return undefined;
    const rules = binding.runWorkerFirst as readonly string[];
    const negative = rules.find((rule) => rule.startsWith("!") && ruleMatches(rule, healthPath));
    if (negative !== undefined) {
        return `the rule "${negative}" sends the health endpoint ${healthPath} to the assets, so the health check never reaches the Worker; narrow the rule`;
    }
    if (binding.notFoundHandling === "none" || rules.some((rule) => !rule.startsWith("!") && ruleMatches(rule, healthPath))) return undefined;
    return `no rule sends the health endpoint ${healthPath} to the Worker, and notFoundHandling "${binding.notFoundHandling}" answers every other path from the assets; ` +
        `add "${healthPath}" to runWorkerFirst`;
}

/** `run_worker_first` / `runWorkerFirst`: a boolean or path rules without {@link runWorkerFirstProblems}. */
export const runWorkerFirstSchema = z.union([z.boolean(), z.array(z.string())], {
    error: 'expected true, false or a list of path rules such as ["/api/*", "!/api/docs/*"]',
}).superRefine((value, ctx) => {
    if (typeof value === "boolean") return;
    for (const problem of runWorkerFirstProblems(value)) {
        ctx.addIssue({ code: "custom", message: problem.message, ...(problem.index === undefined ? {} : { path: [problem.index] }) });
    }
});

const schema = z.strictObject({
    /** Static assets uploaded with the Worker; the binding fetches them (`env.ASSETS.fetch(request)`). */
    kind: z.literal("assets"),
    /**
     * The directory of files to serve, relative to the service directory; it must exist when planning. Every
     * file below it is uploaded as it is (the provider does not read wrangler's `.assetsignore`, and `_headers`
     * / `_redirects` are served as files, not applied). Files up to 25 MiB.
     * @example "public"
     */
    directory: relativePathSchema,
    /**
     * Redirects and rewrites of requests for HTML files
     * (https://developers.cloudflare.com/workers/static-assets/routing/advanced/html-handling/):
     * `"auto-trailing-slash"` serves `file.html` at `/file` and `folder/index.html` at `/folder/`;
     * `"force-trailing-slash"` serves every HTML page at a path ending in `/`;
     * `"drop-trailing-slash"` serves every HTML page at a path without a trailing `/`;
     * `"none"` serves HTML files only at their exact paths.
     * @default "auto-trailing-slash"
     */
    htmlHandling: z.enum(HTML_HANDLING).default("auto-trailing-slash"),
    /**
     * The answer to a request no file matches, when the Worker does not handle it (and always through the
     * binding) (https://developers.cloudflare.com/workers/static-assets/routing/):
     * `"none"` answers 404 with an empty body (or runs the Worker);
     * `"404-page"` answers 404 with the nearest `404.html` up the requested path;
     * `"single-page-application"` answers 200 with the root `index.html`.
     * @default "none"
     */
    notFoundHandling: z.enum(NOT_FOUND_HANDLING).default("none"),
    /**
     * Which requests run the Worker before the assets are looked at
     * (https://developers.cloudflare.com/workers/static-assets/binding/#run_worker_first): `false` serves a
     * matching file without running the Worker; `true` runs the Worker for every request; a list of path
     * rules runs it for the paths they match (`"/api/*"`), except those of negative rules (`"!/api/docs/*"`).
     * At least one non-negative rule, at most 100 rules of at most 100 characters.
     * @default false
     */
    runWorkerFirst: runWorkerFirstSchema.default(false),
});

/** The `assets` binding kind. */
export const assets = defineBindingKind({
    kind: "assets",
    schema,
    docs: {
        title: "Static assets (a directory uploaded with the Worker)",
        resource: "uploaded with the script (`assets` of cloudflare.WorkersScript / WorkerVersion)",
        wranglerKey: "assets",
        url: "https://developers.cloudflare.com/workers/static-assets/binding/",
    },
    check: (binding, ctx) => {
        // "Only one collection of static assets can be configured in each Worker."
        // (https://developers.cloudflare.com/workers/static-assets/binding/)
        const declared = Object.entries(ctx.declaration.bindings).filter(([, b]) => b.kind === "assets");
        const first = declared[0]!;
        if (first[1] !== binding) {
            return [{
                path: ctx.at(),
                message: `a Worker has one collection of static assets and binding "${first[0]}" already declares it; ` +
                    "serve both directories from one (move the files under one directory)",
            }];
        }
        const problem = healthRoutingProblem(binding, ctx.declaration.health?.path ?? DEFAULT_HEALTH_PATH);
        return problem === undefined ? [] : [{ path: ctx.at("runWorkerFirst"), message: problem }];
    },
    scriptBinding: (_binding, ctx) => ({ name: ctx.name, type: "assets" }),
    scriptSettings: (binding, ctx) => {
        const path = process.getBuiltinModule("node:path");
        const directory = path.resolve(ctx.root, binding.directory);
        const read = readAssetsDirectory(directory);
        if (read.manifest === undefined) {
            throw new ValidationError("static assets", read.problems.map((problem) => ({
                path: ctx.at("directory"),
                message: `"${binding.directory}" (${directory}) ${problem}`,
            })));
        }
        return {
            assets: {
                directory: relativeToWorkingDirectory(directory),
                config: {
                    htmlHandling: binding.htmlHandling,
                    notFoundHandling: binding.notFoundHandling,
                    runWorkerFirst: binding.runWorkerFirst,
                },
            },
            // The version message records which files this upload serves; it is the input that changes when,
            // and only when, a file does (see the module comment).
            annotations: { workersMessage: assetsMessage(read.manifest.sha256) },
        };
    },
    wrangler: (binding, ctx) => {
        ctx.config.assets = {
            directory: ctx.projectPath(binding.directory),
            binding: ctx.name,
            html_handling: binding.htmlHandling,
            not_found_handling: binding.notFoundHandling,
            run_worker_first: binding.runWorkerFirst,
        };
    },
    import: {
        path: ["assets"],
        shape: "single",
        nameField: "binding",
        defaultName: DEFAULT_ASSETS_BINDING,
        knownKeys: ["directory", "binding", "html_handling", "not_found_handling", "run_worker_first"],
        unsupportedReason: "not supported",
        map: (item, ctx) => {
            const value = item.value as Record<string, unknown>;
            const raw = value.directory;
            if (typeof raw !== "string") {
                ctx.note([], "unsupported", "no directory (a framework's build plugin supplies it); declare the built directory by hand. Not imported");
                return undefined;
            }
            const directory = raw.replace(/^(\.\/)+/, "").replace(/\/+$/, "") || ".";
            if (relativePathProblem(directory) !== undefined) {
                ctx.note(["directory"], "unsupported", `"${raw}" is not a directory inside the service directory, where the platform's directory is. Not imported`);
                return undefined;
            }
            if (value.binding === undefined) {
                ctx.note([], "changed", `no binding: declared as binding ${DEFAULT_ASSETS_BINDING} (the Worker does not have to use it)`);
            }
            ctx.note(["directory"], "action", `"${directory}" is relative to the service directory and must exist there when planning: build the assets into it first`);
            const notFoundHandling = typeof value.not_found_handling === "string" ? value.not_found_handling : "none";
            let runWorkerFirst = value.run_worker_first as boolean | string[] | undefined;
            if (Array.isArray(runWorkerFirst) && healthRoutingProblem({ notFoundHandling, runWorkerFirst }, DEFAULT_HEALTH_PATH) !== undefined) {
                // The platform's health endpoint must reach the Worker (see `healthRoutingProblem`).
                const kept = runWorkerFirst.filter((rule) => !(rule.startsWith("!") && ruleMatches(rule, DEFAULT_HEALTH_PATH)));
                const reaches = kept.some((rule) => !rule.startsWith("!") && ruleMatches(rule, DEFAULT_HEALTH_PATH));
                const changed = [...kept, ...(reaches ? [] : [DEFAULT_HEALTH_PATH])];
                ctx.note(["run_worker_first"], "changed",
                    `declared as ${JSON.stringify(changed)}: the platform's health endpoint ${DEFAULT_HEALTH_PATH} must run the Worker, ` +
                    `which ${JSON.stringify(runWorkerFirst)} with not_found_handling "${notFoundHandling}" does not allow`);
                runWorkerFirst = changed;
            }
            return {
                kind: "assets",
                directory,
                ...(typeof value.html_handling === "string" ? { htmlHandling: value.html_handling } : {}),
                ...(typeof value.not_found_handling === "string" ? { notFoundHandling: value.not_found_handling } : {}),
                ...(runWorkerFirst === undefined ? {} : { runWorkerFirst }),
            };
        },
    },
    health: {
        description: "fetch of `/` through the binding (any answer below 500)",
        run: (binding, ctx) => checkAssets(binding, ctx.signal),
    },
    summary: (binding) => binding.directory,
    policy: { scriptBindingTypes: ["assets"] },
});

/** The version message of an upload whose assets hash to `sha256`. */
export function assetsMessage(sha256: string): string {
    return `static assets sha256:${sha256}`;
}
