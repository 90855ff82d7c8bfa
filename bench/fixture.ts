/**
 * The benchmark's generated platform: N services shaped like the real `api` service, their Worker entry
 * files on disk, and the stack config the engine would pass. Both variants (components and plain) read
 * the same {@link ServiceSpec} list, so they declare the same resources.
 *
 * Per service: KV, D1, R2, a Durable Object (with its migration), a var, a secret, a Custom Domain, the
 * workers.dev subdomain setting; every 2nd service also a route, every 3rd a Cron Trigger, every 4th a
 * service binding to the service before it.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The stack every run plans. Not `production`, so nothing is protected (protect is compared anyway). */
export const STACK = "staging";
/** Project name (config namespace `platform:`). */
export const PROJECT = "platform";
/** Zone that routes and Custom Domains belong to. */
export const ZONE = { id: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", name: "example.com" } as const;
const ACCOUNT_ID = "3f2a9c8e7d6b5a4f3e2d1c0b9a8f7e6d";
const WORKERS_DEV_SUBDOMAIN = "example-co";
/** Entry module of every generated service, relative to its directory. */
export const MAIN = "src/index.js";
/** Compatibility date and flags of every generated service. */
export const COMPATIBILITY_DATE = "2026-04-01";
export const COMPATIBILITY_FLAGS = ["global_fetch_strictly_public"] as const;

/** One generated service. */
export interface ServiceSpec {
    /** Service name (`svc-007`). */
    readonly name: string;
    /** Absolute path of the service directory. */
    readonly root: string;
    /** Its Custom Domain (`svc-007.example.com`). */
    readonly customDomain: string;
    /** A route on the zone, on every 2nd service. */
    readonly route: string | undefined;
    /** A Cron Trigger schedule, on every 3rd service. */
    readonly cron: string | undefined;
    /** The service it binds to through a service binding (`UPSTREAM`), on every 4th service. */
    readonly upstream: string | undefined;
    /** Served on workers.dev, on every 5th service. */
    readonly workersDev: boolean;
    /** Value of its `SIGNING_KEY` secret (fake; 32+ characters for the env contract). */
    readonly signingKey: string;
}

/** The first `count` services of the fixture rooted at `workDir`; the same prefix for every count. */
export function serviceSpecs(workDir: string, count: number): ServiceSpec[] {
    return Array.from({ length: count }, (_, index): ServiceSpec => {
        const i = index + 1;
        const name = `svc-${String(i).padStart(3, "0")}`;
        return {
            name,
            root: path.join(workDir, "services", name),
            customDomain: `${name}.example.com`,
            route: i % 2 === 0 ? `example.com/${name}/*` : undefined,
            cron: i % 3 === 0 ? `${i % 60} 6 * * *` : undefined,
            upstream: i % 4 === 0 ? `svc-${String(i - 1).padStart(3, "0")}` : undefined,
            workersDev: i % 5 === 0,
            signingKey: `bench-signing-key-${name}-0123456789abcdef`,
        };
    });
}

/**
 * Writes each service's Worker (its own entry module plus a shared helper module it imports) under
 * `workDir`. Plain `.js` so that typechecking `bench/` never picks the generated files up.
 */
export function writeFixture(workDir: string, specs: readonly ServiceSpec[]): void {
    const shared = path.join(workDir, "shared");
    fs.mkdirSync(shared, { recursive: true });
    fs.writeFileSync(path.join(shared, "respond.js"), SHARED_MODULE);
    for (const spec of specs) {
        fs.mkdirSync(path.join(spec.root, "src"), { recursive: true });
        fs.writeFileSync(path.join(spec.root, MAIN), workerSource(spec));
    }
}

/** Config as the engine passes it (`PULUMI_CONFIG`): `project:key` → string, secret keys listed separately. */
export function engineConfig(specs: readonly ServiceSpec[]): { config: Record<string, string>; secretKeys: string[] } {
    return {
        config: {
            "platform:accountId": ACCOUNT_ID,
            "platform:zone": JSON.stringify(ZONE),
            "platform:workersDevSubdomain": WORKERS_DEV_SUBDOMAIN,
            "platform:secrets": JSON.stringify(Object.fromEntries(specs.map((s) => [s.name, { SIGNING_KEY: s.signingKey }]))),
        },
        secretKeys: ["platform:secrets"],
    };
}

const SHARED_MODULE = `export function json(body, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}
export function notFound() {
  return json({ error: "not found" }, 404);
}
`;

function workerSource(spec: ServiceSpec): string {
    return `import { DurableObject } from "cloudflare:workers";
import { json, notFound } from "../../../shared/respond.js";

const SERVICE = ${JSON.stringify(spec.name)};

export class Counter extends DurableObject {
  async fetch(request) {
    this.ctx.storage.sql.exec("create table if not exists hits (n integer)");
    const row = this.ctx.storage.sql.exec("select count(*) as n from hits").one();
    return json({ service: SERVICE, hits: row.n });
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/health") {
      await env.CACHE.get("health");
      await env.DB.prepare("select 1").first();
      await env.FILES.head("health");
      return json({ status: "ok", service: SERVICE });
    }
    if (url.pathname.startsWith("/notes/")) {
      const id = url.pathname.slice("/notes/".length);
      const cached = await env.CACHE.get(id);
      if (cached !== null) return json(JSON.parse(cached));
      const note = await env.DB.prepare("select * from notes where id = ?").bind(id).first();
      if (note === null) return notFound();
      await env.CACHE.put(id, JSON.stringify(note), { expirationTtl: 60 });
      return json(note);
    }
    if (url.pathname === "/count") {
      const stub = env.COUNTER.get(env.COUNTER.idFromName(SERVICE));
      return stub.fetch(request);
    }${spec.upstream === undefined ? "" : `
    if (url.pathname === "/upstream") return env.UPSTREAM.fetch(request);`}
    return notFound();
  },${spec.cron === undefined ? "" : `
  async scheduled(controller, env) {
    console.log(SERVICE, "cron", controller.cron, env.LOG_LEVEL);
  },`}
};
`;
}
