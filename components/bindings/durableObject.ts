/**
 * Durable Object namespaces, by exported class: the service's own (created by its
 * `durableObjectMigrations`) or another declared service's.
 * Source: https://developers.cloudflare.com/durable-objects/api/namespace/
 */
import { z } from "zod";
import { checkDurableObject } from "../health/checks";
import { CLASS_NAME, classNameSchema, serviceNameSchema } from "../service/names";
import { addWranglerEntry, defineBindingKind } from "./kind";
import { scriptTarget } from "./importTarget";

const schema = z.strictObject({
    /** Durable Object namespace, by exported class name. */
    kind: z.literal("durableObject"),
    /** The exported class, which must be live after replaying `durableObjectMigrations`. */
    className: classNameSchema,
    /** Another declared service that exports the class; omit when this service exports it. */
    service: serviceNameSchema.optional(),
});

/** The `durableObject` binding kind. */
export const durableObject = defineBindingKind({
    kind: "durableObject",
    schema,
    docs: {
        title: "Durable Object namespace (with migrations)",
        resource: "class of this or another declared service; migrations uploaded with the script",
        wranglerKey: "durable_objects.bindings",
        url: "https://developers.cloudflare.com/durable-objects/api/namespace/",
    },
    check: (binding, ctx) => {
        if (binding.service === undefined && !ctx.liveClasses.has(binding.className)) {
            return [{
                path: ctx.at("className"),
                message: `class "${binding.className}" is not created by any step of durableObjectMigrations; ` +
                    `add a step such as { tag: "v1", newSqliteClasses: ["${binding.className}"] }`,
            }];
        }
        if (binding.service === ctx.declaration.name) {
            return [{ path: ctx.at("service"), message: "a service cannot bind to itself; omit `service` for its own classes" }];
        }
        return [];
    },
    dependsOnServices: (binding) => binding.service === undefined ? [] : [binding.service],
    // Another service's class is checked on that service's own binding.
    requiredExports: (binding) => binding.service === undefined ? [{ name: binding.className, field: "className", what: "Durable Object class" }] : [],
    targetStub: (binding) => binding.service === undefined ? undefined : {
        service: binding.service,
        binding: { kind: "durableObject", className: binding.className },
        sqliteClasses: [binding.className],
    },
    checkAgainstServices: (binding, services, at) => {
        if (binding.service === undefined) return [];
        const target = services.get(binding.service);
        if (target === undefined) return [];
        const exported = Object.values(target.bindings).some((b) => b.kind === "durableObject" && b.service === undefined && b.className === binding.className);
        return exported ? [] : [{ path: at("className"), message: `service ${binding.service} does not bind a Durable Object class "${binding.className}" of its own` }];
    },
    scriptBinding: (binding, ctx) => binding.service === undefined
        ? { name: ctx.name, type: "durable_object_namespace", className: binding.className }
        : { name: ctx.name, type: "durable_object_namespace", className: binding.className, scriptName: ctx.scriptOf(binding.service) },
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["durable_objects", "bindings"], binding.service === undefined
        ? { name: ctx.name, class_name: binding.className }
        : { name: ctx.name, class_name: binding.className, script_name: ctx.scriptOf(binding.service) }),
    import: {
        path: ["durable_objects", "bindings"],
        shape: "list",
        nameField: "name",
        knownKeys: ["name", "class_name", "script_name"],
        unsupportedReason: "not supported (the platform binds the class in the same stack)",
        map: (item, ctx) => {
            const value = item.value as Record<string, unknown>;
            const className = String(value.class_name);
            if (!CLASS_NAME.test(className)) {
                ctx.note(["class_name"], "unsupported", `"${className}" is not a JavaScript class name; binding not imported`);
                return undefined;
            }
            const found = scriptTarget(value, "script_name", ctx);
            if (found === undefined) return undefined;
            const { script, service: target } = found;
            if (target === undefined || target === ctx.serviceName) {
                // A container-backed class (wrangler's `containers`) is refused, never bound as a plain Durable Object.
                const containers = Array.isArray(ctx.section.containers) ? ctx.section.containers as Record<string, unknown>[] : [];
                const container = containers.findIndex((c) => c.class_name === className);
                if (container >= 0) {
                    ctx.note([], "unsupported",
                        `class "${className}" is backed by a container (containers[${container}]); Cloudflare Containers are not supported ` +
                        "(@pulumi/cloudflare 6.22.1 has no container application resource), and a plain Durable Object of this class would start no container. " +
                        "Binding not imported: keep deploying this Worker with wrangler, or move the container out of it");
                    return undefined;
                }
                if (!ctx.liveClasses.has(className)) {
                    ctx.note([], "unsupported",
                        `class "${className}" is not created by any migration of ${ctx.baseLabel} (wrangler cannot deploy it either); add a migration step, then import again. Binding not imported`);
                    return undefined;
                }
                return { kind: "durableObject", className };
            }
            ctx.note(["script_name"], "changed",
                `the class lives in Worker "${script}"; the platform binds declared service "${target}" (script "${target}-${ctx.stack}"): declare or import that service too`);
            return { kind: "durableObject", className, service: target };
        },
    },
    health: {
        description: "fetch of the probe path on one instance",
        run: (binding, ctx) => checkDurableObject(binding, ctx.options.durableObjectName),
    },
    summary: (binding) => binding.className,
    policy: { scriptBindingTypes: ["durable_object_namespace"] },
});
