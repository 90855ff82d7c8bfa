/**
 * Plain-text variables: a default in the declaration, a value per stack from stack config
 * (`platform:services.<name>.vars`). Source: https://developers.cloudflare.com/workers/configuration/environment-variables/
 */
import { z } from "zod";
import { defineBindingKind } from "./kind";

const schema = z.strictObject({
    /** Plain-text variable; its value is visible in the dashboard and in generated config. */
    kind: z.literal("var"),
    /** Default value; stack config (`platform:services.<name>.vars`) overrides it per environment. */
    value: z.string(),
});

/** The `var` binding kind. */
export const variable = defineBindingKind({
    kind: "var",
    schema,
    docs: {
        title: "Plain-text variable (in the env contract)",
        resource: "none: the value per stack from `platform:services.<name>.vars`",
        wranglerKey: "vars",
        url: "https://developers.cloudflare.com/workers/configuration/environment-variables/",
    },
    envContract: { label: "variable", secret: false, defaultValue: (binding) => binding.value },
    scriptBinding: (binding, ctx) => ({ name: ctx.name, type: "plain_text", text: ctx.varValue(ctx.name) ?? binding.value }),
    wrangler: (binding, ctx) => {
        const vars = (ctx.config.vars ??= {}) as Record<string, string>;
        vars[ctx.name] = ctx.varValue(ctx.name) ?? binding.value;
    },
    import: {
        path: ["vars"],
        shape: "record",
        map: (item, ctx) => {
            const value = item.value;
            if (typeof value === "string") return { kind: "var", value };
            const text = JSON.stringify(value);
            const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
            const what = Array.isArray(value) ? "an array" : value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`;
            ctx.note([], "changed", `${what} (${shown}); the platform's vars are strings: declared as the string ${JSON.stringify(shown)}, so the Worker must parse it`);
            return { kind: "var", value: text };
        },
    },
    policy: { scriptBindingTypes: ["plain_text", "json"] },
});

