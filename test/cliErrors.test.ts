/**
 * One error path for every command (`tools/lib/cli.ts`): bad command-line arguments and output paths given to
 * `plan`, `dev`, `import`, `neon-simulator` and `bench` end with exit 2 and one message naming the flag, what
 * was expected and what was found, no stack trace, and nothing left behind (no output, no temporary file, no
 * trace); an unwritable destination fails at once instead of hanging; an unexpected failure ends with exit 1, a
 * short message and the path of the trace file. Most cases run in-process through the same `runCommand` as the
 * CLIs (the commands fail before their work starts); a representative subset runs the real processes.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchCommand } from "../bench/run";
import { devCommand } from "../tools/dev";
import { importCommand } from "../tools/import";
import { reportFailure, runCommand, type Command } from "../tools/lib/cli";
import { checkDestination, writeDirectoryAtomically, writeFilesAtomically } from "../tools/lib/files";
import { neonSimulatorCommand } from "../tools/neonSimulator/main";
import { planCommand } from "../tools/plan";
import {
    expectUserError, inBatches, inProcess, inProcessSync, listTree, PROJECT_ROOT, spawnCommand, STACK_FRAME, TRACE_DIR, type Outcome,
} from "./helpers/badInput";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-errors-"));
const at = (...parts: string[]) => path.join(tmp, ...parts);
const WRANGLER_TOML = 'name = "shop"\nmain = "src/index.ts"\ncompatibility_date = "2026-04-01"\n';

beforeAll(() => {
    fs.writeFileSync(at("file.txt"), "a file, not a directory\n");
    fs.mkdirSync(at("dir"));
    fs.symlinkSync(at("nowhere", "deeper"), at("dangling"));
    fs.writeFileSync(at("wrangler.toml"), WRANGLER_TOML);
    fs.writeFileSync(at("policy.txt"), "not json");
    fs.mkdirSync(at("not-empty"));
    fs.writeFileSync(at("not-empty", "keep.txt"), "x");
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const COMMANDS = {
    plan: planCommand,
    dev: devCommand,
    "neon-simulator": neonSimulatorCommand,
    bench: benchCommand,
} as const satisfies Record<string, Command>;

/** One bad command line: what it is, the arguments, and what the message must name. */
interface ArgumentCase {
    readonly title: string;
    readonly command: keyof typeof COMMANDS | "import";
    readonly argv: readonly string[];
    readonly names: readonly (string | RegExp)[];
}

const plan = (title: string, argv: readonly string[], ...names: (string | RegExp)[]): ArgumentCase => ({ title, command: "plan", argv, names });
const dev = (title: string, argv: readonly string[], ...names: (string | RegExp)[]): ArgumentCase =>
    ({ title, command: "dev", argv: ["--stack", "staging", "--service", "api", ...argv], names });
const neon = (title: string, argv: readonly string[], ...names: (string | RegExp)[]): ArgumentCase => ({ title, command: "neon-simulator", argv, names });
const bench = (title: string, argv: readonly string[], ...names: (string | RegExp)[]): ArgumentCase => ({ title, command: "bench", argv, names });
const imp = (title: string, argv: readonly string[], ...names: (string | RegExp)[]): ArgumentCase => ({ title, command: "import", argv, names });

const CASES: readonly ArgumentCase[] = [
    // npm run plan
    plan("no --stack", [], "--stack", "required"),
    plan("an empty --stack", ["--stack", ""], "--stack", "may not be empty"),
    plan("a stack name with an uppercase letter", ["--stack", "Staging"], "--stack", "lowercase letters and digits"),
    plan("a stack name with an underscore", ["--stack", "feature_x"], "--stack", "lowercase letters and digits"),
    plan("a fully qualified stack reference", ["--stack", "acme/platform/staging"], "--stack", '"staging"'),
    plan("a stack name with a space", ["--stack", "my stack"], "--stack", 'invalid character " " at position 2'),
    plan("a stack name that climbs with ..", ["--stack", "../staging"], "--stack", 'contains "/"'),
    plan("a stack name of dots", ["--stack", ".."], "--stack", "lowercase letters and digits"),
    plan("a stack name longer than Pulumi allows", ["--stack", "s".repeat(101)], "--stack", "cannot exceed 100 characters"),
    plan("an unknown flag", ["--stak", "staging"], "--stak", "usage: npm run plan"),
    plan("--out naming a file", ["--stack", "staging", "--out", at("file.txt")], "--out", "expected a directory", "found a regular file"),
    plan("--out naming a dangling symbolic link", ["--stack", "staging", "--out", at("dangling")], "--out", "dangling link"),
    plan("--out below a file", ["--stack", "staging", "--out", at("file.txt", "out")], "--out", "is a regular file, not a directory"),
    plan("--out in a place that cannot be written (/proc)", ["--stack", "staging", "--out", "/proc/platform-out"], "--out", "cannot write in /proc"),
    plan("--out below /dev/null", ["--stack", "staging", "--out", "/dev/null/out"], "--out", "a character device, not a directory"),
    plan("--out empty", ["--stack", "staging", "--out", ""], "--out", "expected a path"),
    plan("--json naming a directory", ["--stack", "staging", "--json", at("dir")], "--json", "found a directory"),
    plan("--json naming a full device", ["--stack", "staging", "--json", "/dev/full"], "--json", "found a character device at /dev/full"),
    plan("--json naming a dangling symbolic link", ["--stack", "staging", "--json", at("dangling")], "--json", "dangling link"),
    plan("--json below a file", ["--stack", "staging", "--json", at("file.txt", "plan.json")], "--json", "not a directory"),
    plan("--sarif naming a directory", ["--stack", "staging", "--sarif", at("dir")], "--sarif", "found a directory"),
    plan("--sarif without a policy pack", ["--stack", "staging", "--no-policies", "--sarif", at("p.sarif")], "--sarif", "needs a policy pack"),
    plan("--json and --out both wrong, reported together", ["--stack", "staging", "--out", at("file.txt"), "--json", at("dir")], "(2 problems)", "--out", "--json"),
    plan("--cwd that does not exist", ["--stack", "staging", "--cwd", at("missing-project")], "--cwd", "found nothing"),
    plan("--cwd naming a file", ["--stack", "staging", "--cwd", at("file.txt")], "--cwd", "found a file"),
    plan("--policy-pack that is no policy pack", ["--stack", "staging", "--policy-pack", at("dir")], "--policy-pack", "PulumiPolicy.yaml"),
    plan("--policy-pack-config naming a directory", ["--stack", "staging", "--policy-pack-config", at("dir")], at("dir"), "expected a JSON file"),
    plan("--policy-pack-config that is not JSON", ["--stack", "staging", "--policy-pack-config", at("policy.txt")], at("policy.txt"), "not valid JSON"),
    plan("--no-policies with --policy-pack", ["--stack", "staging", "--no-policies", "--policy-pack", "policies"], "--no-policies", "--policy-pack"),
    // npm run dev
    dev("a port above 65535", ["--port", "99999"], "--port", 'from 1 to 65535, got "99999"'),
    dev("a port that is not a number", ["--port", "http"], "--port", '"http"'),
    dev("port 0", ["--port", "0"], "--port", "from 1 to 65535"),
    dev("an inspector port above 65535", ["--inspector-port", "70000"], "--inspector-port", "65535"),
    dev("the same port twice", ["--port", "18791", "--inspector-port", "18791"], "--inspector-port", "got 18791 for both"),
    { title: "dev without --service", command: "dev", argv: ["--stack", "staging"], names: ["--service", "required"] },
    { title: "dev without --stack", command: "dev", argv: ["--service", "api"], names: ["--stack", "required"] },
    { title: "dev with a stack name Pulumi refuses", command: "dev", argv: ["--stack", "stag ing", "--service", "api"], names: ["--stack", "invalid character"] },
    dev("a --vars-file that does not exist", ["--vars-file", at("missing.vars")], "--vars-file", "found nothing"),
    dev("a --vars-file that is a directory", ["--vars-file", at("dir")], "--vars-file", "found a directory"),
    dev("a --persist-to that is a file", ["--persist-to", at("file.txt")], "--persist-to", "expected a directory"),
    dev("a --persist-to that cannot be written", ["--persist-to", "/proc/platform-state"], "--persist-to", "cannot write in /proc"),
    dev("a --persist-to through a dangling link", ["--persist-to", at("dangling")], "--persist-to", "dangling link"),
    dev("a --database-url that is not PostgreSQL", ["--database-url", "mysql://root@127.0.0.1/app"], "--database-url", "PostgreSQL URL"),
    dev("an unknown flag", ["--serve", "x"], "--serve", "usage: npm run dev"),
    // npm run neon-simulator
    neon("a port above 65535", ["--port", "99999"], "--port", "from 0 to 65535"),
    neon("a port that is not a number", ["--port", "abc"], "--port", '"abc"'),
    neon("a fault rate above 1", ["--fault-rate", "2"], "--fault-rate", "from 0 to 1"),
    neon("a negative operation time", ["--operation-ms=-1"], "--operation-ms", "from 0 to 600000"),
    neon("a value that looks like a flag", ["--operation-ms", "-1"], "--operation-ms", "ambiguous"),
    neon("a seed that is not whole", ["--seed", "1.5"], "--seed", "whole number"),
    neon("an empty key", ["--key", ""], "--key", "without spaces"),
    neon("an unknown flag", ["--prot", "1"], "--prot", "usage: npm run neon-simulator"),
    // npm run bench
    bench("zero repetitions", ["--reps", "0"], "--reps", "whole number from 1"),
    bench("repetitions that are not a number", ["--reps", "many"], "--reps", '"many"'),
    bench("two service counts", ["--services", "1,20"], "--services", "three or more"),
    bench("service counts that are not numbers", ["--services", "a,b,c"], "--services", '"a,b,c"'),
    bench("an unknown flag", ["--rep", "3"], "--rep", "usage: npm run bench"),
    bench("too few policy resources", ["--policy-resources", "5"], "--policy-resources", "from 10"),
    bench("a baseline that is not a checkout", ["--baseline", at("not-empty")], "--baseline", "has no package.json", "git worktree add"),
    bench("this checkout as its own baseline", ["--baseline", "."], "--baseline", "another checkout"),
    // npm run import: its arguments and --out (the file's contents are test/importInvalid.test.ts's)
    imp("--out naming a file", [at("wrangler.toml"), "--out", at("file.txt")], "--out", "is not a directory"),
    imp("--out that is not empty", [at("wrangler.toml"), "--out", at("not-empty")], "--out", "is not empty"),
    imp("--out through a dangling link", [at("wrangler.toml"), "--out", at("dangling")], "--out", "dangling link"),
    imp("--out in a place that cannot be written (/proc)", [at("wrangler.toml"), "--out", "/proc/platform-import"], "--out", "cannot write in /proc"),
    imp("--out below a file", [at("wrangler.toml"), "--out", at("file.txt", "svc")], "--out", "not a directory"),
];

async function run(c: ArgumentCase): Promise<Outcome> {
    return c.command === "import" ? inProcessSync(importCommand, c.argv) : inProcess(COMMANDS[c.command], c.argv);
}

describe("bad command-line arguments and output paths (in-process, as the CLIs run)", () => {
    it("has at least 55 cases over every command", () => {
        expect(CASES.length).toBeGreaterThanOrEqual(55);
        expect(new Set(CASES.map((c) => c.command))).toEqual(new Set(["plan", "dev", "neon-simulator", "bench", "import"]));
    });

    const rendered: string[] = [];
    for (const c of CASES) {
        it(`${c.command}: ${c.title}: exits 2 naming it, without a stack trace, leaving nothing`, async () => {
            const before = listTree(tmp);
            const outcome = await run(c);
            expectUserError(outcome, c.names, `npm run ${c.command} -- ${c.argv.join(" ")}`);
            rendered.push(`${c.command}: ${c.title}\n${outcome.stderr.split(tmp).join("<tmp>")}`);
            // Every one fails before the command's work: at once, whatever the destination.
            expect(outcome.ms, "fails at once").toBeLessThan(5_000);
            expect(listTree(tmp)).toEqual(before);
            expect(fs.existsSync("/proc/platform-out")).toBe(false);
        });
    }

    it("words the messages as snapshotted (wording changes are reviewed)", () => {
        expect(rendered.length).toBe(CASES.length);
        expect(rendered.join("\n")).toMatchSnapshot();
    });

    it("neon-simulator and dev: a port in use exits 2 naming --port", async () => {
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as net.AddressInfo).port;
        try {
            expectUserError(await inProcess(neonSimulatorCommand, ["--port", String(port)]), ["--port", `${port} on 127.0.0.1 is in use`], "port in use");
            expectUserError(await inProcess(devCommand, ["--stack", "staging", "--service", "api", "--port", String(port)]), ["--port", `${port} on 127.0.0.1 is in use`], "dev port in use");
        } finally {
            server.close();
        }
    });
});

describe("writes", () => {
    it("checks a destination without leaving anything: a missing directory below a writable one is fine", () => {
        const before = listTree(tmp);
        expect(() => checkDestination({ flag: "--out", path: at("a", "b", "c"), kind: "directory" })).not.toThrow();
        expect(() => checkDestination({ flag: "--json", path: at("a", "plan.json"), kind: "file" })).not.toThrow();
        expect(listTree(tmp)).toEqual(before);
    });

    it("writes files atomically and creates their directories, through a link to a file", () => {
        fs.writeFileSync(at("target.json"), "old");
        fs.symlinkSync(at("target.json"), at("link.json"));
        writeFilesAtomically([
            { flag: "--out", path: at("new", "deep", "a.txt"), content: "a" },
            { flag: "--json", path: at("link.json"), content: "new" },
        ]);
        expect(fs.readFileSync(at("new", "deep", "a.txt"), "utf8")).toBe("a");
        expect(fs.lstatSync(at("link.json")).isSymbolicLink()).toBe(true);
        expect(fs.readFileSync(at("target.json"), "utf8")).toBe("new");
        expect(fs.readdirSync(at("new", "deep"))).toEqual(["a.txt"]);
    });

    it("leaves nothing when one write of several fails: no temporary file, no directory it created, the old file kept", () => {
        fs.writeFileSync(at("kept.json"), "old");
        const before = listTree(tmp);
        let error: unknown;
        try {
            writeFilesAtomically([
                { flag: "--out", path: at("fresh", "x", "wrangler.jsonc"), content: "x" },
                { flag: "--json", path: at("kept.json"), content: "new" },
                // Passes the check (a regular file may be replaced), then fails: its temporary file cannot be a directory's child.
                { flag: "--sarif", path: at("fresh", "x", "wrangler.jsonc", "p.sarif"), content: "s" },
            ]);
        } catch (e) {
            error = e;
        }
        expect(error).toBeDefined();
        expect(listTree(tmp)).toEqual(before);
        expect(fs.readFileSync(at("kept.json"), "utf8")).toBe("old");
    });

    it("names the flag and the reason when a device refuses the bytes, and never replaces a device", () => {
        expect(() => writeFilesAtomically([{ flag: "--json", path: "/dev/full", content: "x" }])).toThrow(/--json: expected the path of a regular file.*character device at \/dev\/full/);
        expect(fs.statSync("/dev/full").isCharacterDevice()).toBe(true);
    });

    it("creates a directory atomically, or leaves nothing", () => {
        const before = listTree(tmp);
        expect(() => writeDirectoryAtomically("--out", at("file.txt", "svc"), { "service.ts": "x" })).toThrow(/--out: cannot write .*not a directory.*Nothing was written/);
        expect(listTree(tmp)).toEqual(before);
        expect(writeDirectoryAtomically("--out", at("made", "svc"), { "service.ts": "x", "nested/a.yaml": "y" }))
            .toEqual([at("made", "svc", "service.ts"), at("made", "svc", "nested/a.yaml")]);
        expect(fs.readdirSync(at("made"))).toEqual(["svc"]);
    });
});

describe("unexpected failures", () => {
    it("exit 1 with a short message and the trace written to a file, not printed", async () => {
        const traces = at("traces");
        let stderr = "";
        const code = reportFailure({ name: "plan", usage: "usage" }, new TypeError("Cannot read properties of undefined (reading 'x')\nsecond line"), {
            stdout: () => undefined, stderr: (t) => { stderr += t; },
        }, traces);
        expect(code).toBe(1);
        expect(stderr).toMatch(/^error: npm run plan failed unexpectedly: Cannot read properties of undefined \(reading 'x'\)\nThe full trace is in (\S+); this is a bug/);
        expect(stderr).not.toContain("second line");
        expect(stderr).not.toMatch(STACK_FRAME);
        const file = /The full trace is in (\S+);/.exec(stderr)![1]!;
        const trace = fs.readFileSync(path.isAbsolute(file) ? file : path.resolve(file), "utf8");
        expect(trace).toContain("TypeError: Cannot read properties of undefined");
        expect(trace).toMatch(STACK_FRAME);
        expect(fs.statSync(path.isAbsolute(file) ? file : path.resolve(file)).mode & 0o777).toBe(0o600);
    });

    it("falls back to the OS temp directory when the trace directory cannot be written", () => {
        let stderr = "";
        expect(reportFailure({ name: "dev", usage: "" }, new Error("boom"), { stdout: () => undefined, stderr: (t) => { stderr += t; } }, at("file.txt", "errors"))).toBe(1);
        const file = /The full trace is in (\S+);/.exec(stderr)![1]!;
        expect(file.startsWith(path.join(os.tmpdir(), "workers-platform-errors"))).toBe(true);
        fs.rmSync(file);
    });

    it("renders a command's thrown bug the same way in-process", async () => {
        const outcome = await inProcess({ name: "bench", usage: "", main: () => { throw new RangeError("index out of range"); } }, []);
        expect(outcome.code).toBe(1);
        expect(outcome.stderr).toContain("npm run bench failed unexpectedly: index out of range");
        const file = /The full trace is in (\S+);/.exec(outcome.stderr)![1]!;
        fs.rmSync(path.isAbsolute(file) ? file : path.resolve(file));
    });

    it("a user error keeps its message and code, an argument error adds the usage", async () => {
        const { ValidationError } = await import("../components/validation");
        const { argumentError } = await import("../tools/lib/cli");
        let stderr = "";
        const io = { stdout: () => undefined, stderr: (t: string) => { stderr += t; } };
        expect(await runCommand({ name: "x", usage: "usage: x", main: () => { throw new ValidationError("stack config", [{ path: "platform:a", message: "bad" }]); } }, [], io)).toBe(2);
        expect(stderr).toBe("error: Invalid stack config (1 problem):\n  - platform:a: bad\n");
        stderr = "";
        expect(await runCommand({ name: "x", usage: "usage: x", main: () => { throw argumentError("--port", "bad"); } }, [], io)).toBe(2);
        expect(stderr).toBe("error: Invalid arguments (1 problem):\n  - --port: bad\nusage: x\n");
    });
});

describe("the real commands (a representative subset, spawned)", () => {
    const packDir = path.join(PROJECT_ROOT, ".platform", `test-crashing-pack-${process.pid}`);
    const spawned: Record<string, Outcome> = {};
    const cases: { key: string; script: string; argv: readonly string[]; names: readonly string[] }[] = [
        { key: "plan --out /proc", script: "tools/plan.ts", argv: ["--stack", "staging", "--out", "/proc/platform-out"], names: ["--out", "cannot write in /proc"] },
        { key: "plan --json dir", script: "tools/plan.ts", argv: ["--stack", "staging", "--json", tmp], names: ["--json", "found a directory"] },
        { key: "plan --stack Bad", script: "tools/plan.ts", argv: ["--stack", "Prod/../x"], names: ["--stack"] },
        { key: "dev --port 99999", script: "tools/dev.ts", argv: ["--stack", "staging", "--service", "api", "--port", "99999"], names: ["--port", "99999"] },
        { key: "import --out dangling", script: "tools/import.ts", argv: [at("wrangler.toml"), "--out", at("dangling")], names: ["--out", "dangling link", "Nothing was written."] },
        { key: "neon-simulator --port abc", script: "tools/neonSimulator/main.ts", argv: ["--port", "abc"], names: ["--port"] },
        { key: "bench --reps 0", script: "bench/run.ts", argv: ["--reps", "0"], names: ["--reps"] },
    ];
    let before: string[];

    beforeAll(async () => {
        before = listTree(tmp);
        // A policy pack whose module throws when it loads: an unexpected failure of the plan.
        fs.mkdirSync(packDir, { recursive: true });
        fs.writeFileSync(path.join(packDir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
        fs.writeFileSync(path.join(packDir, "package.json"), JSON.stringify({ name: "crashing-pack", version: "0.0.1", main: "index.js" }));
        fs.writeFileSync(path.join(packDir, "index.js"), 'throw new Error("the pack crashed while loading");\n');
        const all = [...cases, { key: "plan with a crashing pack", script: "tools/plan.ts", argv: ["--stack", "staging", "--policy-pack", packDir, "--out", at("crash-out")], names: [] }];
        const outcomes = await inBatches(all, 3, (c) => spawnCommand(c.script, c.argv, { timeoutMs: 90_000 }));
        all.forEach((c, i) => { spawned[c.key] = outcomes[i]!; });
    }, 240_000);
    afterAll(() => fs.rmSync(packDir, { recursive: true, force: true }));

    for (const c of cases) {
        it(`${c.key}: exit 2, the flag named, no stack trace`, () => {
            expectUserError(spawned[c.key]!, c.names, c.key);
        });
    }

    it("an unwritable --out fails at once instead of waiting (it used to hang: Node's recursive mkdir loops on /proc)", () => {
        expect(spawned["plan --out /proc"]!.ms).toBeLessThan(30_000);
        expect(fs.existsSync("/proc/platform-out")).toBe(false);
    });

    it("a crash ends with exit 1, a short message and the trace in a file under .platform/errors", () => {
        const outcome = spawned["plan with a crashing pack"]!;
        expect(outcome.code, outcome.stderr).toBe(1);
        expect(outcome.stderr).toMatch(/^error: npm run plan failed unexpectedly: policy pack .* failed to start/);
        expect(outcome.stderr).not.toMatch(STACK_FRAME);
        const file = path.resolve(PROJECT_ROOT, /The full trace is in (\S+);/.exec(outcome.stderr)![1]!);
        expect(file.startsWith(TRACE_DIR)).toBe(true);
        expect(fs.readFileSync(file, "utf8")).toMatch(STACK_FRAME);
        fs.rmSync(file);
        // Nothing of the plan was written.
        expect(fs.existsSync(at("crash-out"))).toBe(false);
    });

    it("left nothing behind", () => {
        expect(listTree(tmp)).toEqual(before);
    });
});
