/**
 * Keeps secrets out of the engine's debug log.
 *
 * The Node.js SDK (`@pulumi/pulumi` 3.248, unchanged in 3.276) sends the engine a debug message after each
 * resource RPC with the whole response: `RegisterResource RPC finished: ...; resp: <urn>,<id>,<state>`,
 * and the same for `ReadResource` (stack references), `getResource Invoke` and `RegisterResourceOutputs`.
 * The state is in clear there, secrets included (a Neon role password, a Hyperdrive origin password, a
 * stack reference's secret outputs): the engine keeps debug messages in its event log (`--event-log`,
 * the Automation API's events) and prints them with `--debug` or `-v`. The SDK already hides the request
 * side unless `PULUMI_EXCESSIVE_DEBUG_OUTPUT` is set; this hides the response side the same way. Found by
 * the engine tests' secret canaries (`test/engine/secrets.test.ts`).
 */
import * as pulumi from "@pulumi/pulumi";

/** Debug messages that end in an RPC response or payload, and where that part starts. */
const RPC_PAYLOAD = /^((?:RegisterResource|ReadResource|getResource Invoke|RegisterResourceOutputs) RPC finished: .*?resp: )[\s\S]*$/;
/** What replaces the response. */
const REDACTED = "[response not logged: it may hold secrets; set PULUMI_EXCESSIVE_DEBUG_OUTPUT=true to log it]";
/** Marks the SDK's logger once it is wrapped. */
const WRAPPED = Symbol.for("workers-platform.sdkDebugLogRedacted");

type DebugLog = typeof pulumi.log.debug & { [WRAPPED]?: true };

/**
 * The debug message as it may be logged: an RPC's response replaced by a note, unless
 * `PULUMI_EXCESSIVE_DEBUG_OUTPUT` asks for everything (as the SDK decides for requests).
 */
export function redactRpcPayload(message: string, excessive = process.env.PULUMI_EXCESSIVE_DEBUG_OUTPUT === "true"): string {
    return excessive ? message : message.replace(RPC_PAYLOAD, `$1${REDACTED}`);
}

/**
 * Wraps the SDK's `log.debug` so RPC responses are not sent to the engine (see the module doc). The SDK's
 * runtime calls `log.debug` through the module object, so replacing the export reaches it. Idempotent;
 * call it before registering resources.
 */
export function redactSdkDebugLog(): void {
    const log = pulumi.log as unknown as { debug: DebugLog };
    if (log.debug[WRAPPED]) return;
    const original = log.debug;
    const wrapped: DebugLog = (msg, resource, streamId, ephemeral) => original(redactRpcPayload(msg), resource, streamId, ephemeral);
    wrapped[WRAPPED] = true;
    log.debug = wrapped;
}
