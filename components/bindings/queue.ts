/**
 * Cloudflare Queues: a producer binding (`env.NAME.send(body)`) to a queue the service owns (one
 * `cloudflare.Queue` per stack, `<script>-<binding slug>`) or to a queue another declared service owns, and,
 * on a queue the service owns, a consumer: the service's Worker receives the queue's messages in its `queue()`
 * handler (a `cloudflare.QueueConsumer` attached to the script after it is deployed).
 *
 * Sources:
 * - binding API (`send`, `sendBatch`, the `queue()` handler):
 *   https://developers.cloudflare.com/queues/configuration/javascript-apis/
 * - wrangler keys `queues.producers[] { binding, queue, delivery_delay }` and `queues.consumers[] { queue,
 *   max_batch_size, max_batch_timeout, max_retries, dead_letter_queue, max_concurrency, retry_delay }`:
 *   https://developers.cloudflare.com/queues/configuration/configure-queues/ and wrangler 4.86's
 *   config-schema.json; `wrangler deploy` sends a consumer's `max_batch_timeout` × 1000 as the API's
 *   `max_wait_time_ms` (`updateQueueConsumers` in wrangler-dist/cli.js)
 * - defaults (batch of 10, 5 seconds, 3 retries): https://developers.cloudflare.com/queues/configuration/batching-retries/
 * - ranges (batch 1–100, wait 0–60 s, 0–100 retries, 250 concurrent invocations, delays up to 12 hours):
 *   https://developers.cloudflare.com/queues/platform/limits/
 * - queue names (1–63 lowercase letters, digits and dashes, `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`): the API's
 *   error 11003, https://github.com/cloudflare/workers-sdk/issues/2522
 * - `@pulumi/cloudflare` 6.22.1: `queue.d.ts` (`queueName`, `settings.deliveryDelay`; import id
 *   `<account_id>/<queue_id>`), `queueConsumer.d.ts` (`queueId`, `scriptName`, `type: "worker"`,
 *   `deadLetterQueue` by queue name, `settings { batchSize, maxWaitTimeMs, maxRetries, retryDelay,
 *   maxConcurrency }`; "does not currently support `pulumi import`"), `types/input.d.ts` (`WorkersScriptBinding`
 *   `{ type: "queue", queueName }`, which has no per-binding delivery delay).
 *
 * Decisions:
 * - A queue is consumed by the service that owns it (Cloudflare allows one Worker consumer per queue, and the
 *   consumer needs the queue's id, which only the owner's stack has): producers in other services bind it with
 *   `{ kind: "queue", service, queue }`, deployed after the owner.
 * - `deliveryDelaySeconds` is the queue's own setting (`settings.deliveryDelay`), since the provider's script
 *   binding cannot carry wrangler's per-producer `delivery_delay`: it applies to every producer of the queue.
 *   The generated wrangler config writes it on the owner's producer entry, so `wrangler dev` delays alike.
 * - Another service's queue is bound by the platform's name for it, `<owner script>-<queue binding slug>`: when
 *   the owner's stack adopts a queue under another name, producers in other services do not follow; omit `name`
 *   in that import entry so the first `pulumi up` gives the queue the platform's name.
 * - The consumer's Worker must export a `queue(batch, env, ctx)` handler (default export); the platform cannot
 *   check that without running the bundle, and Cloudflare rejects a consumer whose script has none.
 * - Health: a producer cannot be probed without sending a message that would reach the consumer, so the check
 *   proves the binding is there with `send()` and `sendBatch()`.
 */
import { z } from "zod";
import { checkBindingMethods } from "../health/featureChecks";
import { BINDING_NAME, resourceName, serviceNameSchema } from "../service/names";
import { accountScopedId, importIdOf } from "./importIdFormat";
import { addWranglerEntry, defineBindingKind, resolvedField, type DeclaredBinding, type ImportContext, type ImportItem, type ResolvedResource } from "./kind";

/** Queue ids: 32 lowercase hex characters. */
export const QUEUE_ID = /^[0-9a-f]{32}$/;
/**
 * Queue names: 1 to 63 lowercase letters, digits and dashes, starting and ending with a letter or digit (the API's
 * error 11003: https://github.com/cloudflare/workers-sdk/issues/2522).
 */
export const QUEUE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/**
 * Longest delivery and retry delay, seconds (12 hours): "delaySeconds (when sending or retrying)",
 * https://developers.cloudflare.com/queues/platform/limits/
 */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;

const delaySeconds = z.number().int().min(0).max(MAX_QUEUE_DELAY_SECONDS);
const bindingName = z.string().regex(BINDING_NAME, { error: "expected a binding name (a JavaScript identifier)" });

/**
 * A Worker consumer's settings (`cloudflare.QueueConsumer` `settings`; wrangler `queues.consumers[]`). Ranges:
 * https://developers.cloudflare.com/queues/platform/limits/ ; defaults:
 * https://developers.cloudflare.com/queues/configuration/batching-retries/ (retries, retry delay, dead-letter queues:
 * https://developers.cloudflare.com/queues/configuration/dead-letter-queues/).
 */
const consumerSchema = z.strictObject({
    /** Most messages in one batch delivered to `queue()`, 1 to 100 (wrangler `max_batch_size`). @default 10 */
    maxBatchSize: z.number().int().min(1).max(100).default(10),
    /**
     * Longest wait for a batch to fill before it is delivered anyway, whole seconds from 0 to 60 (wrangler
     * `max_batch_timeout`; the API's `max_wait_time_ms` is this × 1000). @default 5
     */
    maxBatchTimeoutSeconds: z.number().int().min(0).max(60).default(5),
    /**
     * Deliveries of a failed message after the first, 0 to 100 (wrangler `max_retries`); then it goes to
     * `deadLetterQueue`, or is deleted when there is none. @default 3
     */
    maxRetries: z.number().int().min(0).max(100).default(3),
    /** Seconds before a retried message is delivered again, 0 to 43200 (12 hours; wrangler `retry_delay`). @default none: Cloudflare retries without delay */
    retryDelaySeconds: delaySeconds.optional(),
    /**
     * Most concurrent invocations of the consumer, 1 to 250 (wrangler `max_concurrency`).
     * @default none: Cloudflare scales up to its maximum as the backlog needs (recommended)
     */
    maxConcurrency: z.number().int().min(1).max(250).optional(),
    /**
     * Binding name of another queue binding this service owns (no `service`), where messages go after
     * `maxRetries` failed deliveries (wrangler `dead_letter_queue`, by its queue name). @default none: such messages are deleted
     */
    deadLetterQueue: bindingName.optional(),
});

const schema = z.strictObject({
    /** Cloudflare Queue, bound as a producer (`env.NAME.send(body)`). */
    kind: z.literal("queue"),
    /**
     * Another declared service whose queue this binds (as a producer only); omit for a queue this service owns,
     * created per stack as `<script>-<binding slug>`. That service is deployed first.
     */
    service: serviceNameSchema.optional(),
    /** With `service`: the binding name of that service's own queue binding. Not allowed without `service`. */
    queue: bindingName.optional(),
    /**
     * Seconds every message waits before it is delivered, 0 to 43200 (12 hours): the queue's own setting
     * (`settings.deliveryDelay`), so only on a queue this service owns; `send(body, { delaySeconds })` overrides
     * it per message. @default none: delivered at once
     */
    deliveryDelaySeconds: delaySeconds.optional(),
    /**
     * Consume this queue with this service's Worker, which must export a `queue()` handler; only on a queue this
     * service owns. @default none: nothing consumes the queue here
     */
    consumer: consumerSchema.optional(),
    /**
     * The message body's zod schema, for the Worker's types only (`EnvOf` types the binding `Queue<z.input<…>>`);
     * the Worker validates bodies itself (at send time), the platform does not. @default none: `Queue<unknown>`
     */
    message: z.custom<z.ZodType>((value) => value instanceof z.ZodType, { error: "expected a zod schema of the message body (z.object({...}))" }).optional(),
});

type QueueBinding = z.output<typeof schema>;

/** The wrangler producer entry's keys the platform carries over. */
const PRODUCER_KEYS = ["binding", "queue", "delivery_delay"] as const;
/** The wrangler consumer entry's keys the platform carries over (`type` is always `worker` there). */
const CONSUMER_KEYS = ["queue", "type", "max_batch_size", "max_batch_timeout", "max_retries", "dead_letter_queue", "max_concurrency", "retry_delay"] as const;
/** Consumer settings: wrangler key → declaration field. */
const CONSUMER_FIELDS = [
    ["max_batch_size", "maxBatchSize"],
    ["max_batch_timeout", "maxBatchTimeoutSeconds"],
    ["max_retries", "maxRetries"],
    ["retry_delay", "retryDelaySeconds"],
    ["max_concurrency", "maxConcurrency"],
] as const;

/** The `queue` binding kind. */
export const queue = defineBindingKind({
    kind: "queue",
    schema,
    docs: {
        title: "Queue (producer; consumer on its own queue)",
        resource: "cloudflare.Queue per stack (or another declared service's), cloudflare.QueueConsumer for a consumer",
        wranglerKey: "queues",
        url: "https://developers.cloudflare.com/queues/configuration/configure-queues/",
    },
    check: (binding, ctx) => {
        const name = Object.entries(ctx.declaration.bindings).find(([, b]) => b === binding)?.[0];
        if (binding.service !== undefined) return boundQueueIssues(binding, binding.service, ctx.declaration.name, ctx.at);
        const issues = binding.queue === undefined ? [] : [{
            path: ctx.at("queue"),
            message: "names another service's queue binding, so it needs `service` too; omit queue for a queue this service owns",
        }];
        const dlq = binding.consumer?.deadLetterQueue;
        if (dlq === undefined) return issues;
        const target = ctx.declaration.bindings[dlq];
        const problem = dlq === name ? "a queue cannot be its own dead-letter queue; declare another queue binding for it"
            : target === undefined ? `no binding named "${dlq}"; declare it as { kind: "queue" }`
            : target.kind !== "queue" ? `binding ${dlq} is a ${target.kind} binding, not a queue`
            : target.service !== undefined ? `binding ${dlq} binds service ${String(target.service)}'s queue; a dead-letter queue must be one this service owns`
            : undefined;
        return problem === undefined ? issues : [...issues, { path: ctx.at("consumer", "deadLetterQueue"), message: problem }];
    },
    dependsOnServices: (binding) => binding.service === undefined ? [] : [binding.service],
    checkAgainstServices: (binding, services, at) => {
        if (binding.service === undefined || binding.queue === undefined) return [];
        const target = services.get(binding.service);
        if (target === undefined) return [];
        if (isOwnQueue(target.bindings[binding.queue])) return [];
        const own = Object.entries(target.bindings).filter(([, b]) => isOwnQueue(b)).map(([n]) => n);
        return [{
            path: at("queue"),
            message: `service ${binding.service} has no queue binding "${binding.queue}" of its own` +
                (own.length === 0 ? `; add { kind: "queue" } to its bindings` : `; its queues: ${own.join(", ")}`),
        }];
    },
    // Queue names have 63 characters at most (checked on every binding: conservative for another service's queue).
    limitedName: true,
    resources: (binding, ctx) => {
        if (binding.service !== undefined) return { resolved: { kind: "queue" } };
        const resource = new ctx.cloudflare.Queue(ctx.name, {
            accountId: ctx.accountId,
            queueName: ctx.physicalName,
            ...(binding.deliveryDelaySeconds === undefined ? {} : { settings: { deliveryDelay: binding.deliveryDelaySeconds } }),
        }, ctx.opts);
        return {
            resource,
            resolved: ctx.pulumi.all([resource.id, resource.queueName]).apply(([queueId, queueName]) => ({ kind: "queue", queueId, queueName })),
        };
    },
    scriptBinding: (binding, ctx) => ({
        name: ctx.name,
        type: "queue",
        queueName: ctx.resolved.apply((r) => queueNameOf(binding, r, ctx.name, ctx.scriptOf)),
    }),
    afterDeploy: (binding, ctx) => {
        const consumer = binding.consumer;
        if (consumer === undefined || binding.service !== undefined) return [];
        const dlq = consumer.deadLetterQueue;
        return [new ctx.cloudflare.QueueConsumer(`${ctx.childName}-consumer`, {
            accountId: ctx.accountId,
            queueId: ctx.resolved.apply((r) => resolvedField(r, "queue", "queueId", ctx.name)),
            scriptName: ctx.scriptName,
            type: "worker",
            ...(dlq === undefined ? {} : { deadLetterQueue: ctx.resolvedOf(dlq).apply((r) => resolvedField(r, "queue", "queueName", dlq)) }),
            settings: {
                batchSize: consumer.maxBatchSize,
                maxWaitTimeMs: consumer.maxBatchTimeoutSeconds * 1000,
                maxRetries: consumer.maxRetries,
                ...(consumer.retryDelaySeconds === undefined ? {} : { retryDelay: consumer.retryDelaySeconds }),
                ...(consumer.maxConcurrency === undefined ? {} : { maxConcurrency: consumer.maxConcurrency }),
            },
        }, ctx.opts)];
    },
    wrangler: (binding, ctx) => {
        const queueName = queueNameOf(binding, ctx.resolved, ctx.name, ctx.scriptOf);
        addWranglerEntry(ctx.config, ["queues", "producers"], {
            binding: ctx.name,
            queue: queueName,
            ...(binding.deliveryDelaySeconds === undefined ? {} : { delivery_delay: binding.deliveryDelaySeconds }),
        });
        const consumer = binding.consumer;
        if (consumer === undefined) return;
        const dlq = consumer.deadLetterQueue;
        addWranglerEntry(ctx.config, ["queues", "consumers"], {
            queue: queueName,
            max_batch_size: consumer.maxBatchSize,
            max_batch_timeout: consumer.maxBatchTimeoutSeconds,
            max_retries: consumer.maxRetries,
            ...(dlq === undefined ? {} : { dead_letter_queue: resolvedField(ctx.resolvedOf(dlq), "queue", "queueName", dlq) }),
            ...(consumer.retryDelaySeconds === undefined ? {} : { retry_delay: consumer.retryDelaySeconds }),
            ...(consumer.maxConcurrency === undefined ? {} : { max_concurrency: consumer.maxConcurrency }),
        });
    },
    import: {
        path: ["queues", "producers"],
        shape: "list",
        knownKeys: PRODUCER_KEYS,
        unsupportedReason: "not supported (`remote`: local development uses local queues)",
        map: (item, ctx) => {
            const queueName = String((item.value as Record<string, unknown>).queue);
            const table = queueTable(ctx.section);
            const owner = table.get(queueName)!;
            if (owner.binding !== item.name) {
                ctx.note(["queue"], "unsupported",
                    `binds queue "${queueName}" like binding ${owner.binding}, and the platform gives each queue binding a queue of its own; not imported: use env.${owner.binding}`);
                return undefined;
            }
            return importedQueue(item.value as Record<string, unknown>, owner.consumer, table, ctx);
        },
    },
    importAlso: [
        {
            // Consumers: of a queue a producer above binds (declared there), or of a queue no producer binds.
            path: ["queues", "consumers"],
            shape: "list",
            knownKeys: CONSUMER_KEYS,
            unsupportedReason: "not supported (`visibility_timeout_ms` is for pull consumers; wrangler does not deploy it for a Worker consumer)",
            items: (section) => consumerItems(section),
            map: (item, ctx) => {
                const entry = item.value as Record<string, unknown>;
                const queueName = String(entry.queue);
                const table = queueTable(ctx.section);
                const owner = table.get(queueName)!;
                if (owner.consumer !== entry) {
                    ctx.note([], "unsupported", `queue "${queueName}" has a consumer above already, and a queue has one Worker consumer; not imported`);
                    return undefined;
                }
                // Reported here, at the consumer's own keys; the producer's item declares the binding with them.
                const consumer = importedConsumer(entry, table, item.name, ctx.note);
                if (owner.from === "producer") return undefined;
                ctx.note(["queue"], "added",
                    `no producer binding in ${ctx.label} sends to queue "${queueName}": declared as queue binding ${item.name}, a queue this service owns ` +
                    `(the platform creates one per stack); a service that sends to it binds { kind: "queue", service: "${ctx.serviceName}", queue: "${item.name}" }`);
                return { kind: "queue", consumer };
            },
        },
        {
            // Dead-letter queues no producer or consumer entry names: declared so the consumer can name them.
            path: ["queues", "consumers"],
            shape: "list",
            items: (section) => deadLetterItems(section),
            map: (item, ctx) => {
                const queueName = String((item.value as Record<string, unknown>).dead_letter_queue);
                ctx.note(["dead_letter_queue"], "added",
                    `dead-letter queue "${queueName}" has no producer or consumer in ${ctx.label}: declared as queue binding ${item.name}, a queue this service ` +
                    `owns (the platform creates one per stack; the Worker can re-send its messages with env.${item.name})`);
                return { kind: "queue" };
            },
        },
    ],
    adoption: {
        what: "queue",
        ...importIdOf(accountScopedId("<queue_id>", "a queue id", "32 lowercase hex characters", QUEUE_ID)),
        checkId: (_parsed, binding) => binding.service === undefined
            ? undefined
            : `this binding sends to service ${String(binding.service)}'s queue, which has nothing to adopt here; adopt it in that service's import map`,
        fromWrangler: (item) => {
            const idField = "queue" in item ? "queue" : "dead_letter_queue";
            const queueName = String(item[idField]);
            if (!QUEUE_NAME.test(queueName)) {
                return { idField, resourceId: undefined, problem: `${JSON.stringify(queueName)} is no queue's name (a placeholder?), so there is nothing to adopt` };
            }
            return {
                idField,
                resourceId: undefined,
                name: queueName,
                problem: `wrangler names queue "${queueName}" but does not record its id, so it is not adopted from this file ` +
                    `(to keep it, add { id: "<account_id>/<queue_id>", name: "${queueName}" } under this binding's name to platform:services.<service>.import; ` +
                    `\`npx wrangler queues info ${queueName}\` shows the id)`,
            };
        },
    },
    health: {
        description: "the binding has `send()` and `sendBatch()` (nothing is sent: a message would reach the consumer)",
        run: (binding) => checkBindingMethods(binding, ["send", "sendBatch"], "a queue producer"),
    },
    summary: (binding, resolved, scriptOf) => binding.service === undefined
        ? (resolved?.kind === "queue" ? resolved.queueName : undefined)
        : queueNameOf(binding, resolved, binding.queue ?? "", scriptOf),
    policy: {
        scriptBindingTypes: ["queue"],
        statefulTypes: { "cloudflare:index/queue:Queue": "queue" },
    },
});

/** Rules of a binding to another service's queue (`service` set), against this declaration. */
function boundQueueIssues(binding: QueueBinding, service: string, self: string, at: (...path: PropertyKey[]) => string): { path: string; message: string }[] {
    const issues: { path: string; message: string }[] = [];
    if (service === self) issues.push({ path: at("service"), message: "a service cannot bind its own queue through `service`; omit service and queue" });
    if (binding.queue === undefined) issues.push({ path: at("queue"), message: `expected the binding name of ${service}'s queue binding (required with service)` });
    if (binding.consumer !== undefined) {
        issues.push({ path: at("consumer"), message: `a queue is consumed by the service that owns it: declare the consumer on ${service}'s binding${binding.queue === undefined ? "" : ` ${binding.queue}`}` });
    }
    if (binding.deliveryDelaySeconds !== undefined) {
        issues.push({ path: at("deliveryDelaySeconds"), message: `the delivery delay is a setting of the queue: set it on ${service}'s binding${binding.queue === undefined ? "" : ` ${binding.queue}`}` });
    }
    return issues;
}

/** A validated binding of this kind for a queue its service owns. */
function isOwnQueue(binding: DeclaredBinding | undefined): boolean {
    return binding?.kind === "queue" && binding.service === undefined;
}

/**
 * The name of the queue a binding sends to: its resolved name (a queue the service owns, adopted ones under
 * their own name), else the platform's name for another service's queue binding, `<owner script>-<queue slug>`.
 */
function queueNameOf(binding: QueueBinding, resolved: ResolvedResource | undefined, name: string, scriptOf: (service: string) => string): string {
    if (binding.service === undefined) return resolvedField(resolved, "queue", "queueName", name);
    return resourceName(scriptOf(binding.service), binding.queue ?? "");
}

// ─── Importer ────────────────────────────────────────────────────────────────────────────────────

type Entry = Record<string, unknown>;

/** Where one queue of an environment's `queues` section is declared, and what consumes it. */
interface QueueOwner {
    /** The binding the platform declares for it. */
    readonly binding: string;
    /** What names it first: a producer entry, a consumer entry (no producer), or a consumer's dead-letter queue. */
    readonly from: "producer" | "consumer" | "deadLetter";
    /** The first consumer entry of the queue, if any. */
    readonly consumer?: Entry;
}

/**
 * Every queue an environment's `queues` section names, by queue name, with its binding: a producer's own
 * binding; for a queue only consumed, a name made from the queue's (`orders-queue` → `ORDERS_QUEUE`); for a
 * dead-letter queue nothing else names, `<consumer's binding>_DLQ`. Names made up never repeat one in the table.
 */
function queueTable(section: Readonly<Record<string, unknown>>): Map<string, QueueOwner> {
    const queues = (section.queues ?? {}) as { producers?: Entry[]; consumers?: Entry[] };
    const producers = queues.producers ?? [];
    const consumers = queues.consumers ?? [];
    const firstConsumer = new Map<string, Entry>();
    for (const c of consumers) if (!firstConsumer.has(String(c.queue))) firstConsumer.set(String(c.queue), c);
    const table = new Map<string, QueueOwner>();
    const taken = new Set(producers.map((p) => String(p.binding)));
    const unique = (base: string) => {
        let candidate = base;
        for (let i = 2; taken.has(candidate); i++) candidate = `${base}_${i}`;
        taken.add(candidate);
        return candidate;
    };
    const add = (queueName: string, owner: Omit<QueueOwner, "consumer">) => {
        const consumer = firstConsumer.get(queueName);
        table.set(queueName, consumer === undefined ? owner : { ...owner, consumer });
    };
    for (const p of producers) if (!table.has(String(p.queue))) add(String(p.queue), { binding: String(p.binding), from: "producer" });
    for (const c of consumers) if (!table.has(String(c.queue))) add(String(c.queue), { binding: unique(bindingNameFrom(String(c.queue))), from: "consumer" });
    for (const c of consumers) {
        const dlq = c.dead_letter_queue;
        if (typeof dlq === "string" && !table.has(dlq)) add(dlq, { binding: unique(`${table.get(String(c.queue))!.binding}_DLQ`), from: "deadLetter" });
    }
    return table;
}

/** A binding name made from a queue name: `orders-queue` → `ORDERS_QUEUE`, `1st` → `QUEUE_1ST`. */
function bindingNameFrom(queueName: string): string {
    const words = queueName.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "");
    return /^[A-Z]/.test(words) ? words : `QUEUE${words === "" ? "" : `_${words}`}`;
}

/** One item per consumer entry, named by its queue's binding. */
function consumerItems(section: Readonly<Record<string, unknown>>): ImportItem[] {
    const table = queueTable(section);
    const consumers = ((section.queues as { consumers?: Entry[] } | undefined)?.consumers) ?? [];
    return consumers.map((value, i) => ({ name: table.get(String(value.queue))!.binding, value, path: ["queues", "consumers", i] }));
}

/** One item per dead-letter queue nothing else names, at the first consumer naming it; its value is that part of the entry. */
function deadLetterItems(section: Readonly<Record<string, unknown>>): ImportItem[] {
    const table = queueTable(section);
    const consumers = ((section.queues as { consumers?: Entry[] } | undefined)?.consumers) ?? [];
    const seen = new Set<string>();
    return consumers.flatMap((entry, i) => {
        const dlq = entry.dead_letter_queue;
        if (typeof dlq !== "string" || seen.has(dlq) || table.get(dlq)?.from !== "deadLetter") return [];
        seen.add(dlq);
        return [{ name: table.get(dlq)!.binding, value: { dead_letter_queue: dlq }, path: ["queues", "consumers", i] }];
    });
}

/** The declaration of a producer entry's queue: its delivery delay and, when the environment consumes it, the consumer. */
function importedQueue(producer: Entry, consumer: Entry | undefined, table: ReadonlyMap<string, QueueOwner>, ctx: ImportContext): DeclaredBinding {
    const delay = producer.delivery_delay;
    const delaySettings: { deliveryDelaySeconds?: number } = {};
    if (delay !== undefined) {
        if (delaySeconds.safeParse(delay).success) {
            delaySettings.deliveryDelaySeconds = delay as number;
            ctx.note(["delivery_delay"], "changed",
                "the platform sets the delay on the queue itself (settings.delivery_delay), so it applies to every producer of the queue, not only this binding");
        } else {
            ctx.note(["delivery_delay"], "unsupported", `expected whole seconds from 0 to ${MAX_QUEUE_DELAY_SECONDS}, got ${JSON.stringify(delay)}; not imported (no delay)`);
        }
    }
    if (consumer === undefined) {
        ctx.note(["queue"], "changed",
            `nothing in ${ctx.label} consumes queue "${String(producer.queue)}": declared as a queue this service owns (the platform creates one per stack); ` +
            `if another Worker consumes it, declare the queue in that service and bind it here with { kind: "queue", service, queue }`);
        return { kind: "queue", ...delaySettings };
    }
    // Notes on the consumer's fields come from the consumer's own item.
    return { kind: "queue", ...delaySettings, consumer: importedConsumer(consumer, table, String(producer.binding), () => undefined) };
}

/** A consumer entry in the declaration's shape; values the declaration cannot take are reported and left to their defaults. */
function importedConsumer(
    entry: Entry,
    table: ReadonlyMap<string, QueueOwner>,
    binding: string,
    note: (path: readonly PropertyKey[], category: "unsupported", message: string) => void,
): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, field] of CONSUMER_FIELDS) {
        const value = entry[key];
        if (value === undefined || value === null) continue;
        const parsed = consumerSchema.shape[field].safeParse(value);
        if (parsed.success) out[field] = value;
        else note([key], "unsupported", `${JSON.stringify(value)} is not one the platform declares (${parsed.error.issues[0]!.message}); not imported (the default applies)`);
    }
    const dlq = entry.dead_letter_queue;
    if (typeof dlq === "string") {
        const target = table.get(dlq)!.binding;
        if (target === binding) note(["dead_letter_queue"], "unsupported", "the queue is its own dead-letter queue, which the platform does not declare; not imported");
        else out.deadLetterQueue = target;
    }
    return out;
}
