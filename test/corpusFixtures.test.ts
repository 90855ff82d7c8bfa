/**
 * Corpus fixtures (issue item 12): two real Workers from `../shared/wrangler-corpus/`, declared by hand
 * under `test/fixtures/corpus/<service>/` (declaration, stub Worker, one stack file per environment),
 * planned offline for each stack. The wrangler config each plan generates must have the original's
 * binding names and kinds, vars keys, and Durable Object migration steps, environment by environment.
 *
 * What an environment of the original contains follows wrangler's inheritance rules:
 * https://developers.cloudflare.com/workers/wrangler/configuration/#inheritable-keys and
 * https://developers.cloudflare.com/workers/wrangler/configuration/#non-inheritable-keys
 * - bindings (kv_namespaces, d1_databases, r2_buckets, durable_objects, services, ai, ...) and `vars`
 *   are NOT inherited: an `env.<name>` section has only the ones it declares itself;
 * - `migrations` IS inherited: an environment without its own list uses the top-level one
 *   (https://developers.cloudflare.com/durable-objects/reference/durable-objects-migrations/: "The
 *   migration list is ... inherited by all environments"). Checked against wrangler 4.86's own
 *   `normalizeAndValidateEnvironment` (`migrations: inheritable(...)`, `durable_objects: notInheritable(...)`,
 *   node_modules/wrangler/wrangler-dist/cli.js), where an environment's own list, if any, wins;
 * - an environment without `name` is deployed as `<top-level name>-<env>`.
 * The rules live in components/wrangler/environments.ts, shared with `npm run import`.
 *
 * Every key of an original environment is either compared here or listed in the fixture's `excluded`
 * with the reason; an unlisted key fails the test, so nothing is dropped silently.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { ServiceDeclaration } from "../components/service/declaration";
import { serviceSummaries } from "../tools/lib/serviceSummaries";
import { effectiveEnvironment as wranglerEnvironment } from "../components/wrangler/import/environments";
import { parseWranglerConfig } from "../components/wrangler/import/parse";
import { definePlatform, PROJECT_ROOT } from "../infra/program";
import { runOffline, type OfflineRun } from "../tools/lib/mockEngine";
import { readProjectFile, readStackConfig, SECRET_PLACEHOLDER, type EngineConfig } from "../tools/lib/stackFiles";
import chatDemo from "./fixtures/corpus/edge-chat-demo/service";
import sandboxContainer from "./fixtures/corpus/mcp-cloudflare-container-sandbox/service";

const CORPUS_DIR = path.resolve(PROJECT_ROOT, "..", "shared", "wrangler-corpus");
const FIXTURES_DIR = path.join(PROJECT_ROOT, "test", "fixtures", "corpus");
const STACKS = ["staging", "production"] as const;
type Stack = (typeof STACKS)[number];

/** A wrangler config object (or one environment of it), as parsed. */
type Raw = Record<string, unknown>;

interface CorpusFixture {
    /** The corpus file, in `../shared/wrangler-corpus/`. */
    readonly corpusFile: string;
    /** The hand-written declaration; its directory under test/fixtures/corpus/ is its name. */
    readonly declaration: ServiceDeclaration;
    /** The wrangler environment each stack reproduces; `undefined` means the top level. */
    readonly environments: Readonly<Record<Stack, string | undefined>>;
    /** Keys of the original environment that are not reproduced, with the reason (`key` or `key.subkey`). */
    readonly excluded: Readonly<Record<string, string>>;
    /** Secret bindings the declaration adds (values come from `platform:secrets`, never from config). */
    readonly secretNames: readonly string[];
    /** Bindings of the original the platform refuses (as `npm run import` does), by name, with the reason. @default {} */
    readonly refusedBindings?: Readonly<Record<string, string>>;
}

const FIXTURES: readonly CorpusFixture[] = [
    {
        corpusFile: "01-cloudflare-workers-chat-demo-chat.toml",
        declaration: chatDemo,
        // No [env.*] sections: both stacks reproduce the top level.
        environments: { staging: undefined, production: undefined },
        excluded: {
            name: "the platform names scripts <service>-<stack> (edge-chat-demo-staging); the original, having no environments, deploys as edge-chat-demo",
            main: "the entry is a stub written for the fixture (src/chat.mjs); the original's source is not part of the corpus",
        },
        secretNames: [],
    },
    {
        corpusFile: "27-cloudflare-mcp-server-cloudflare-sandbox-container.jsonc",
        declaration: sandboxContainer,
        environments: { staging: "staging", production: "production" },
        excluded: {
            $schema: "editor hint for the wrangler JSON schema, not configuration",
            main: "the entry is a stub written for the fixture (src/sandbox.server.app.ts); the original's source is not part of the corpus",
            dev: "local `wrangler dev` options (port 8976) apply to the top level only and belong to no stack",
            containers: "Cloudflare Containers cannot be created by the platform (@pulumi/cloudflare 6.22.1 has no container application resource); refused, with the Durable Object binding of the container's class (refusedBindings)",
            analytics_engine_datasets: "Workers Analytics Engine (binding MCP_METRICS) is not a platform binding kind",
            "observability.traces": "the platform's observability setting covers Workers Logs only (enabled, head sampling rate), not tracing",
            // Not excluded because absent from the environments: `ai` and the top-level vars
            // CLOUDFLARE_CLIENT_ID/SECRET are top-level only and not inherited (the declaration makes
            // the two client credentials secrets, as the deployed environments must get them).
        },
        secretNames: ["CLOUDFLARE_CLIENT_ID", "CLOUDFLARE_CLIENT_SECRET"],
        refusedBindings: {
            USER_CONTAINER: "its class UserContainer is backed by containers[0]: a plain Durable Object of the class would start no container, so it is refused, never reproduced as one",
        },
    },
];

/** Parses a corpus file by its extension (TOML, or JSON with comments and trailing commas). */
function readCorpus(file: string): Raw {
    return parseWranglerConfig(fs.readFileSync(path.join(CORPUS_DIR, file), "utf8"), file);
}

/**
 * The configuration wrangler deploys for `envName` (the top level when undefined), and the top-level-only
 * keys the file has, by wrangler's inheritance rules (components/wrangler/environments.ts).
 * @throws when the file has a key wrangler does not know (this test must classify it), or lacks the environment.
 */
function effectiveEnvironment(raw: Raw, envName: string | undefined): { env: Raw; topLevelOnly: readonly string[] } {
    const unknown = [...wranglerEnvironment(raw, undefined).unknown, ...(envName === undefined ? [] : wranglerEnvironment(raw, envName).unknown)];
    if (unknown.length > 0) throw new Error(`keys ${unknown.join(", ")} are not classified as inheritable, non-inheritable or top-level only`);
    const { env, topLevelOnly } = wranglerEnvironment(raw, envName);
    return { env, topLevelOnly };
}

const records = (value: unknown): Raw[] => (Array.isArray(value) ? value as Raw[] : []);
const sorted = (values: readonly string[]): string[] => [...values].sort();

/** Binding names grouped by kind, the same way for the original and the generated config. */
function bindingSignature(config: Raw): Record<string, unknown> {
    const byName = (list: unknown, key: string) => sorted(records(list).map((b) => String(b[key])));
    const durableObjects = records((config.durable_objects as Raw | undefined)?.bindings)
        .map((b) => ({ name: b.name, class_name: b.class_name, ...(b.script_name === undefined ? {} : { script_name: b.script_name }) }))
        .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    return {
        kv_namespaces: byName(config.kv_namespaces, "binding"),
        d1_databases: byName(config.d1_databases, "binding"),
        r2_buckets: byName(config.r2_buckets, "binding"),
        durable_objects: durableObjects,
        services: byName(config.services, "binding"),
        vars: sorted(Object.keys((config.vars ?? {}) as Raw)),
    };
}

/** Migration steps in wrangler's shape, empty lists dropped, so both sides compare field by field. */
function migrationSteps(config: Raw): Raw[] {
    const lists = ["new_classes", "new_sqlite_classes", "renamed_classes", "deleted_classes", "transferred_classes"];
    return records(config.migrations).map((step) => {
        const out: Raw = { tag: step.tag };
        for (const key of lists) {
            if (Array.isArray(step[key]) && (step[key] as unknown[]).length > 0) out[key] = step[key];
        }
        const unknown = Object.keys(step).filter((k) => k !== "tag" && !lists.includes(k));
        if (unknown.length > 0) throw new Error(`migration ${String(step.tag)} has keys this test does not know: ${unknown.join(", ")}`);
        return out;
    });
}

/** Routes as pattern + whether it is a Custom Domain (`route` and `routes`, strings or objects). */
function routesOf(config: Raw): { pattern: string; customDomain: boolean }[] {
    const list = [...(config.route === undefined ? [] : [config.route]), ...(Array.isArray(config.routes) ? config.routes : [])];
    return list.map((r) => typeof r === "string"
        ? { pattern: r, customDomain: false }
        : { pattern: String((r as Raw).pattern), customDomain: (r as Raw).custom_domain === true });
}

/** One stack's plan of a fixture: the generated wrangler config and the script's inputs. */
interface PlannedStack {
    readonly config: Raw;
    readonly secretNames: readonly string[];
    readonly scriptInputs: Raw;
    readonly engineConfig: EngineConfig;
}

/**
 * Compares one key of the original environment with the plan. Bindings, vars and migrations are
 * compared by their own tests (always, so the plan cannot add any either); they are listed here so the
 * completeness check knows them.
 */
const COMPARED: Readonly<Record<string, ((original: Raw, plan: PlannedStack, excluded: Readonly<Record<string, string>>) => void) | "own test">> = {
    name: (o, p) => expect(p.config.name).toBe(o.name),
    account_id: (o, p) => expect(p.scriptInputs.accountId).toBe(o.account_id),
    compatibility_date: (o, p) => expect(p.config.compatibility_date).toBe(o.compatibility_date),
    compatibility_flags: (o, p) => expect(p.config.compatibility_flags ?? []).toEqual(o.compatibility_flags ?? []),
    route: (o, p) => expect(routesOf(p.config)).toEqual(routesOf(o)),
    routes: (o, p) => expect(routesOf(p.config)).toEqual(routesOf(o)),
    // Not set: wrangler serves on workers.dev exactly when there is no route (getSubdomainValues).
    workers_dev: (o, p) => expect(p.config.workers_dev).toBe(o.workers_dev ?? routesOf(o).length === 0),
    triggers: (o, p) => expect((p.config.triggers as Raw | undefined)?.crons ?? []).toEqual((o.triggers as Raw | undefined)?.crons ?? []),
    observability: (o, p, excluded) => {
        const original = o.observability as Raw;
        const generated = p.config.observability as Raw;
        expect(generated.enabled).toBe(original.enabled);
        expect(generated.head_sampling_rate).toBe(original.head_sampling_rate ?? 1);
        for (const sub of Object.keys(original)) {
            if (sub === "enabled" || sub === "head_sampling_rate") continue;
            expect(excluded, `observability.${sub} is neither compared nor excluded`).toHaveProperty([`observability.${sub}`]);
        }
    },
    vars: "own test",
    kv_namespaces: "own test",
    d1_databases: "own test",
    r2_buckets: "own test",
    durable_objects: "own test",
    services: "own test",
    migrations: "own test",
    // Worker settings (components/service/workerSettings.ts): the generated rules add `fallthrough: true`, so
    // wrangler keeps its default rules behind them as the platform's bundler does.
    rules: (o, p) => expect(records(p.config.rules).map(({ type, globs }) => ({ type, globs }))).toEqual(records(o.rules).map(({ type, globs }) => ({ type, globs }))),
    placement: (o, p) => expect(p.config.placement).toEqual(o.placement),
    limits: (o, p) => expect(p.config.limits).toEqual(o.limits),
    logpush: (o, p) => expect(p.config.logpush).toBe(o.logpush),
};

describe.each(FIXTURES)("corpus fixture $declaration.name ($corpusFile)", (fixture) => {
    const original = readCorpus(fixture.corpusFile);
    const fixtureDir = path.join(FIXTURES_DIR, fixture.declaration.name);

    it("lists every key it does not reproduce, and no key the original lacks", () => {
        const occurring = new Set<string>();
        for (const stack of STACKS) {
            const { env, topLevelOnly } = effectiveEnvironment(original, fixture.environments[stack]);
            for (const key of [...Object.keys(env), ...topLevelOnly]) {
                occurring.add(key);
                if (!(key in fixture.excluded)) {
                    expect(COMPARED, `key "${key}" of ${fixture.corpusFile} is neither compared nor excluded`).toHaveProperty([key]);
                }
            }
            for (const [sub, value] of Object.entries((env.observability ?? {}) as Raw)) {
                if (value !== undefined) occurring.add(`observability.${sub}`);
            }
        }
        for (const key of Object.keys(fixture.excluded)) {
            expect(occurring.has(key), `excluded key "${key}" does not occur in ${fixture.corpusFile}`).toBe(true);
        }
    });

    describe.each(STACKS)("stack %s", (stack) => {
        const envName = fixture.environments[stack];
        const where = envName === undefined ? "top level" : `env.${envName}`;
        let expected: Raw;
        let plan: PlannedStack;

        beforeAll(async () => {
            expected = effectiveEnvironment(original, envName).env;
            plan = await planFixture(fixture.declaration, fixtureDir, stack);
        });

        it(`generates the binding names and kinds of the original's ${where}, less the refused ones`, () => {
            const refused = Object.keys(fixture.refusedBindings ?? {});
            const dropRefused = (list: unknown) => records(list).filter((b) => !refused.includes(String(b.name ?? b.binding)));
            const kept: Raw = {
                ...expected,
                durable_objects: { bindings: dropRefused((expected.durable_objects as Raw | undefined)?.bindings) },
                kv_namespaces: dropRefused(expected.kv_namespaces),
            };
            for (const name of refused) expect(JSON.stringify(expected), `refused binding ${name} is not in the original's ${where}`).toContain(`"${name}"`);
            expect(bindingSignature(plan.config)).toEqual(bindingSignature(kept));
        });

        it(`generates the var values of the original's ${where}`, () => {
            expect(plan.config.vars ?? {}).toEqual(expected.vars ?? {});
        });

        it(`generates the Durable Object migration tags and classes per step of the original's ${where}`, () => {
            const steps = migrationSteps(expected);
            expect(steps.length).toBeGreaterThan(0);
            expect(migrationSteps(plan.config)).toEqual(steps);
        });

        it(`matches the original's ${where} on every other compared key`, () => {
            // Routes, crons and workers.dev have a meaning when absent (none, none, on without routes):
            // compared even then, so a plan cannot add any.
            for (const key of new Set([...Object.keys(expected), "routes", "triggers", "workers_dev"])) {
                const compare = COMPARED[key];
                if (key in fixture.excluded || compare === undefined || compare === "own test") continue;
                compare(expected, plan, fixture.excluded);
            }
        });

        it("keeps secrets out of the generated config and the stack file", () => {
            expect(sorted(plan.secretNames)).toEqual(sorted(fixture.secretNames));
            expect(JSON.stringify(plan.config)).not.toContain(SECRET_PLACEHOLDER);
            for (const name of fixture.secretNames) {
                expect(Object.keys((plan.config.vars ?? {}) as Raw)).not.toContain(name);
            }
            // Every value under platform:secrets is a `secure:` entry, never plain text.
            const file = parseYaml(fs.readFileSync(path.join(fixtureDir, `Pulumi.${stack}.yaml`), "utf8")) as { config: Raw };
            const secrets = (file.config["platform:secrets"] ?? {}) as Record<string, Record<string, unknown>>;
            const values = Object.values(secrets).flatMap((bindings) => Object.values(bindings));
            expect(values).toHaveLength(fixture.secretNames.length);
            for (const value of values) expect(value).toEqual({ secure: expect.stringMatching(/^v1:/) });
            if (fixture.secretNames.length > 0) expect(plan.engineConfig.secretKeys).toContain("platform:secrets");
        });
    });
});

/** Runs the fixture's plan for one stack in-process under the SDK's mocks, with the fixture's stack file. */
async function planFixture(declaration: ServiceDeclaration, fixtureDir: string, stack: Stack): Promise<PlannedStack> {
    const project = readProjectFile(PROJECT_ROOT);
    const engineConfig = readStackConfig(fixtureDir, project, stack);
    const run: OfflineRun = await runOffline({
        project: project.name,
        stack,
        config: engineConfig,
        program: () => ({ services: definePlatform([{ declaration, root: fixtureDir }], stack).environment.summary }),
    });
    const summary = serviceSummaries(run.resources)[declaration.name];
    if (summary === undefined) throw new Error(`the plan has no output for service ${declaration.name}`);
    const script = run.resources.find((r) => r.type === "cloudflare:index/workersScript:WorkersScript");
    if (script === undefined) throw new Error(`the plan registered no WorkersScript for ${declaration.name}`);
    return {
        config: summary.wranglerConfig.config,
        secretNames: summary.wranglerConfig.secretNames,
        scriptInputs: script.inputs,
        engineConfig,
    };
}
