/**
 * Live reads a deploy depends on (the script's migration tag, its current deployment), against the
 * Cloudflare API stand-in: when they run, what a first deploy looks like, and the errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LiveReadError, readLiveDeployment, readLiveMigrationTag } from "../components/cloudflare/deployment/liveWorkerState";
import { startCloudflareApiStandIn, type CloudflareApiStandIn } from "./helpers/cloudflareApiStandIn";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
let api: CloudflareApiStandIn;
const up = (token = "t") => ({ env: { CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_API_BASE_URL: api.baseUrl }, dryRun: false, offline: false });

beforeAll(async () => {
    api = await startCloudflareApiStandIn({
        token: "t",
        scripts: [{ id: "api-production", migration_tag: "v3" }, { id: "web-production" }],
        deployments: { "api-production": [{ id: "d", strategy: "percentage", versions: [{ version_id: "v-new", percentage: 10 }, { version_id: "v-old", percentage: 90 }] }] },
    });
});
afterAll(async () => {
    await api?.stop();
});

describe("live reads", () => {
    it("read the migration tag from the account's script list, as wrangler does", async () => {
        expect(await readLiveMigrationTag(ACCOUNT, "api-production", up())).toEqual({ status: "read", value: "v3" });
        // A script without migrations, and no script at all: a first deploy.
        expect(await readLiveMigrationTag(ACCOUNT, "web-production", up())).toEqual({ status: "read", value: undefined });
        expect(await readLiveMigrationTag(ACCOUNT, "new-production", up())).toEqual({ status: "read", value: undefined });
        expect(api.requests.at(-1)).toMatchObject({ method: "GET", path: `/client/v4/accounts/${ACCOUNT}/workers/scripts` });
    });

    it("read the latest deployment's versions; none for a script that does not exist", async () => {
        expect(await readLiveDeployment(ACCOUNT, "api-production", up())).toEqual({
            status: "read", value: [{ versionId: "v-new", percentage: 10 }, { versionId: "v-old", percentage: 90 }],
        });
        expect(await readLiveDeployment(ACCOUNT, "new-production", up())).toEqual({ status: "read", value: undefined });
    });

    it("skip in a preview without a token and in the offline plan; fail pulumi up without a token", async () => {
        expect(await readLiveMigrationTag(ACCOUNT, "api-production", { env: {}, dryRun: true, offline: false }))
            .toEqual({ status: "skipped", reason: "CLOUDFLARE_API_TOKEN is not set, so the live Durable Object migration tag of api-production was not read" });
        expect(await readLiveMigrationTag(ACCOUNT, "api-production", { ...up(), offline: true }))
            .toMatchObject({ status: "skipped", reason: expect.stringContaining("the offline plan never calls the Cloudflare API") });
        const missing = readLiveMigrationTag(ACCOUNT, "api-production", { env: {}, dryRun: false, offline: false });
        await expect(missing).rejects.toBeInstanceOf(LiveReadError);
        await expect(missing).rejects.toThrow("pulumi up needs CLOUDFLARE_API_TOKEN in its environment to read the live Durable Object migration tag of api-production");
    });

    it("report API errors with their codes, never the token", async () => {
        const rejected = readLiveDeployment(ACCOUNT, "api-production", up("not-the-token"));
        await expect(rejected).rejects.toThrow("Cannot read the current deployment of api-production: Authentication error [code: 10000]");
        await expect(rejected).rejects.not.toThrow(/not-the-token/);
    });
});
