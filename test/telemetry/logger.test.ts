/**
 * The structured logger of the runtime library (components/telemetry/logger.ts): one JSON object per line with
 * the documented fields, level filtering, the console method per level, error fields, and redaction.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, LOG_LEVELS, REDACTED, type LogLevel } from "../../components/telemetry/logger";

/** A logger whose lines are collected instead of printed. */
function collecting(options: Partial<Parameters<typeof createLogger>[0]> = {}) {
    const lines: { level: LogLevel; line: string }[] = [];
    const logger = createLogger({ service: "api", write: (level, line) => lines.push({ level, line }), ...options });
    return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l.line) as Record<string, unknown>) };
}

afterEach(() => vi.restoreAllMocks());

describe("createLogger", () => {
    it("writes one JSON object per line with level, ISO timestamp, message, service, versionId, requestId and context", () => {
        const { logger, lines, parsed } = collecting({ requestId: "8a3c5e2b1f0d2a4c-AMS", versionId: "0d6e1d3c-1f0a-4c55-9f5e-0b1c2d3e4f50" });
        logger.info("note.created", { id: "n-1", size: 3 });
        expect(lines).toHaveLength(1);
        expect(lines[0]!.line).not.toContain("\n");
        const [line] = parsed();
        expect(line).toEqual({
            level: "info", timestamp: expect.any(String), message: "note.created", service: "api",
            versionId: "0d6e1d3c-1f0a-4c55-9f5e-0b1c2d3e4f50", requestId: "8a3c5e2b1f0d2a4c-AMS", context: { id: "n-1", size: 3 },
        });
        expect(new Date(line!.timestamp as string).toISOString()).toBe(line!.timestamp);
        expect(Object.keys(line!)).toEqual(["level", "timestamp", "message", "service", "versionId", "requestId", "context"]);
    });

    it("leaves out the fields it has no value for", () => {
        const { logger, parsed } = collecting();
        logger.warn("cache.miss");
        logger.warn("cache.miss", {});
        expect(parsed().map(Object.keys)).toEqual([["level", "timestamp", "message", "service"], ["level", "timestamp", "message", "service"]]);
    });

    it("drops lines below the minimum level and defaults to info", () => {
        for (const minimum of LOG_LEVELS) {
            const { logger, parsed } = collecting({ level: minimum });
            for (const level of LOG_LEVELS) logger.log(level, `at ${level}`);
            expect(parsed().map((l) => l.level)).toEqual(LOG_LEVELS.slice(LOG_LEVELS.indexOf(minimum)));
        }
        const { logger, parsed } = collecting();
        logger.debug("hidden");
        logger.info("shown");
        expect(parsed().map((l) => l.message)).toEqual(["shown"]);
        expect(logger.level).toBe("info");
    });

    it("adds error and stack for an Error, and the string form of anything else thrown", () => {
        const { logger, parsed } = collecting();
        const failure = new TypeError("D1_ERROR: no such table: notes");
        logger.error("note.create_failed", { id: "n-1" }, failure);
        logger.warn("odd.throw", undefined, { code: 7 });
        logger.error("string.throw", undefined, "boom");
        const [first, second, third] = parsed();
        expect(first).toMatchObject({ level: "error", error: "TypeError: D1_ERROR: no such table: notes", stack: failure.stack, context: { id: "n-1" } });
        expect(first!.stack).toContain("logger.test.ts");
        expect(second).toMatchObject({ level: "warn", error: '{"code":7}' });
        expect(second).not.toHaveProperty("stack");
        expect(third).toMatchObject({ error: "boom" });
    });

    it("writes debug and info to console.log, warn to console.warn, error to console.error", () => {
        const log = vi.spyOn(console, "log").mockImplementation(() => {});
        const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
        const error = vi.spyOn(console, "error").mockImplementation(() => {});
        const logger = createLogger({ service: "api", level: "debug" });
        for (const level of LOG_LEVELS) logger.log(level, level);
        expect(log.mock.calls.map(([line]) => JSON.parse(line as string).message)).toEqual(["debug", "info"]);
        expect(warn.mock.calls.map(([line]) => JSON.parse(line as string).message)).toEqual(["warn"]);
        expect(error.mock.calls.map(([line]) => JSON.parse(line as string).message)).toEqual(["error"]);
    });

    it("never writes a redacted value: in the message, the context, an error or its stack", () => {
        const secret = "s3cr3t-signing-key-0123456789abcdef";
        const quoted = 'pa"ss\\word';
        const { logger, lines } = collecting({ redact: [secret, quoted, "ab"] });
        logger.info(`key is ${secret}`, { env: { SIGNING_KEY: secret, OTHER: quoted }, nested: [secret] });
        logger.error("failed", {}, new Error(`bad key ${secret}`));
        const text = lines.map((l) => l.line).join("\n");
        expect(text).not.toContain(secret);
        expect(text).not.toContain(JSON.stringify(quoted).slice(1, -1));
        expect(text.split(REDACTED).length - 1).toBeGreaterThanOrEqual(6);
        // Strings shorter than 4 characters are not masked: they would mangle ordinary words.
        expect(JSON.parse(lines[0]!.line).service).toBe("api");
        for (const { line } of lines) expect(() => JSON.parse(line)).not.toThrow();
    });

    it("keeps the line when the context cannot be serialized", () => {
        const { logger, parsed } = collecting();
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        logger.info("cyclic", cyclic);
        expect(parsed()[0]).toMatchObject({ message: "cyclic", context: { unserializable: expect.stringContaining("circular") } });
    });

    it("refuses a level that is not one of debug, info, warn, error", () => {
        expect(() => createLogger({ service: "api", level: "verbose" as LogLevel })).toThrow("logger: level must be one of debug, info, warn, error, got verbose");
    });
});
