/**
 * The Logpush job's `destination_conf` and `filter` (components/cloudflare/monitoring/logpushDestination.ts), in
 * Cloudflare's documented formats.
 */
import { describe, expect, it } from "vitest";
import { destinationConf, MAX_FILTER_BYTES, scriptNameFilter } from "../../components/cloudflare/monitoring/logpushDestination";
import { filterCovers } from "../helpers/logpushFilter";

const ACCOUNT = "0123456789abcdef0123456789abcdef";

describe("destinationConf", () => {
    it("writes the R2 form: r2://<bucket>/<path>?account-id=..&access-key-id=..&secret-access-key=..", () => {
        const conf = destinationConf({
            destination: "r2", path: "workers/{DATE}", accessKeyId: "fedcba9876543210fedcba9876543210", secretAccessKey: "s3cr+t/=",
        }, ACCOUNT, "workers-logs-production");
        expect(conf).toBe(`r2://workers-logs-production/workers/{DATE}?account-id=${ACCOUNT}&access-key-id=fedcba9876543210fedcba9876543210&secret-access-key=s3cr%2Bt%2F%3D`);
        const query = new URL(conf.replace(/^r2:/, "https:")).searchParams;
        expect(query.get("secret-access-key")).toBe("s3cr+t/=");
    });

    it("writes the HTTP form: each header as header_<Name>=<value>, the URL alone without headers", () => {
        expect(destinationConf({ destination: "https", url: "https://logs.example.com/in", headers: { Authorization: "Bearer a b", "X-Source": "cf" } }, ACCOUNT, ""))
            .toBe("https://logs.example.com/in?header_Authorization=Bearer%20a%20b&header_X-Source=cf");
        expect(destinationConf({ destination: "https", url: "https://logs.example.com/in", headers: {} }, ACCOUNT, "")).toBe("https://logs.example.com/in");
    });
});

describe("scriptNameFilter", () => {
    it("selects the ScriptName of every script, sorted, in Cloudflare's filter JSON", () => {
        const filter = scriptNameFilter(["reports-staging", "api-staging"], "staging");
        expect(JSON.parse(filter)).toEqual({ where: { and: [{ key: "ScriptName", operator: "in", value: ["api-staging", "reports-staging"] }] } });
        expect(filterCovers(filter, "api-staging")).toBe(true);
        expect(filterCovers(filter, "api-production")).toBe(false);
    });

    it("falls back to the stack's suffix when the list would exceed Cloudflare's 1000 bytes", () => {
        const scripts = Array.from({ length: 60 }, (_, i) => `service-number-${i}-staging`);
        const filter = scriptNameFilter(scripts, "staging");
        expect(Buffer.byteLength(filter)).toBeLessThanOrEqual(MAX_FILTER_BYTES);
        expect(JSON.parse(filter)).toEqual({ where: { and: [{ key: "ScriptName", operator: "endsWith", value: "-staging" }] } });
        for (const script of scripts) expect(filterCovers(filter, script)).toBe(true);
        expect(filterCovers(filter, "api-production")).toBe(false);
    });

    it("covers nothing with a filter it did not make", () => {
        expect(filterCovers('{"where":{"and":[{"key":"Outcome","operator":"eq","value":"ok"}]}}', "api-staging")).toBe(false);
        expect(filterCovers("not json", "api-staging")).toBe(false);
        expect(filterCovers(undefined, "api-staging")).toBe(false);
    });
});
