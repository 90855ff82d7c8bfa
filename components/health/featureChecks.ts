/**
 * Health checks of the bindings to account-level features (Workers AI, Vectorize, Analytics Engine, rate
 * limits, Browser Rendering, version metadata, Email, dispatch namespaces, mTLS certificates, Secrets Store,
 * Images). Most of these features bill or change something on every call (an inference, a data point, a
 * rate-limit token, a browser session, an email), so their checks only prove the binding is present and has
 * the runtime API's methods; the checks that call anything call a read that costs nothing and changes
 * nothing. Bundled into Workers like `checks.ts`: no Node.js or Pulumi imports.
 */
import { expectMethods } from "./checks";
import { errorMessage } from "./timing";

/**
 * Proves `env[name]` is there with the methods of its runtime API, without calling any of them.
 * @param binding `env[name]`.
 * @param methods methods the binding must have (`["writeDataPoint"]`).
 * @param what what the binding should be, for messages (`an Analytics Engine dataset`).
 * @throws {Error} when the binding is missing or lacks a method.
 */
export function checkBindingMethods(binding: unknown, methods: readonly string[], what: string): void {
    expectMethods(binding, methods, what);
}

/**
 * Version metadata: the binding must carry the version's `id` as a non-empty string (read, not reported).
 * Source: https://developers.cloudflare.com/workers/runtime-apis/bindings/version-metadata/
 * @throws {Error} when the binding is missing or has no version id.
 */
export function checkVersionMetadata(binding: unknown): void {
    if (binding === undefined || binding === null) throw new Error("binding is missing from env; expected version metadata");
    const id = (binding as { id?: unknown }).id;
    if (typeof id !== "string" || id === "") throw new Error("binding is not version metadata (it has no version id)");
}

/**
 * Vectorize: `describe()` of the index, a read that proves the index this stack binds exists (the platform
 * references indexes, it does not create them). Source: https://developers.cloudflare.com/vectorize/reference/client-api/
 * @throws {Error} when the binding is missing or `describe()` fails (no such index).
 */
export async function checkVectorize(binding: unknown): Promise<void> {
    const index = expectMethods<{ describe(): Promise<unknown> }>(binding, ["describe", "query"], "a Vectorize index");
    try {
        await index.describe();
    } catch (error) {
        throw new Error(`describe() of the index failed (does the index exist in this account?): ${errorMessage(error)}`);
    }
}

/**
 * Secrets Store: `get()` of the secret, which proves the store grants this Worker the secret; the value is
 * read and dropped, never reported. Source: https://developers.cloudflare.com/secrets-store/integrations/workers/
 * @throws {Error} when the binding is missing, `get()` fails or returns no string.
 */
export async function checkSecretsStoreSecret(binding: unknown): Promise<void> {
    const secret = expectMethods<{ get(): Promise<unknown> }>(binding, ["get"], "a Secrets Store secret");
    let value: unknown;
    try {
        value = await secret.get();
    } catch (error) {
        throw new Error(`get() of the secret failed: ${errorMessage(error)}`);
    }
    if (typeof value !== "string") throw new Error("get() of the secret returned no string");
}
