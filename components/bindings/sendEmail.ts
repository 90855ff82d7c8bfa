/**
 * Sending email from the Worker through Email Routing (`await env.NAME.send(new EmailMessage(from, to, raw))`).
 * Nothing is created per stack: destination addresses must be verified addresses of the account's Email
 * Routing, and senders addresses of a zone with Email Routing on. A binding may be restricted to one
 * destination, to a list of destinations, and to a list of senders. `wrangler dev` simulates it locally
 * (messages are written to files, not sent).
 * Source: https://developers.cloudflare.com/email-routing/email-workers/send-email-workers/ ; binding
 * `{ type: "send_email", destinationAddress, allowedDestinationAddresses, allowedSenderAddresses }` from
 * `@pulumi/cloudflare` 6.22.1 `types/input.d.ts` (`WorkersScriptBinding`); wrangler key
 * `send_email[] { name, destination_address, allowed_destination_addresses, allowed_sender_addresses }`
 * (wrangler 4.86 `validateSendEmailBinding` rejects a destination address together with a list).
 */
import { z } from "zod";
import { checkBindingMethods } from "../health/featureChecks";
import { LOCAL_DEV_REASON } from "./accountFeature";
import { addWranglerEntry, defineBindingKind } from "./kind";

const address = z.email({ error: "expected an email address" });
const addresses = z.array(address).min(1, { error: "expected at least one email address (omit the field to allow any)" });

const schema = z.strictObject({
    /** Sends email through Email Routing (`env.NAME.send(message)`); nothing is created. */
    kind: z.literal("sendEmail"),
    /**
     * The one address it may send to, a verified destination address of the account's Email Routing. Not
     * together with `allowedDestinationAddresses`. @default any verified destination address
     */
    destinationAddress: address.optional(),
    /** The verified destination addresses it may send to. Not together with `destinationAddress`. @default any verified destination address */
    allowedDestinationAddresses: addresses.optional(),
    /** The sender (`from`) addresses it may use. @default any address of a zone with Email Routing */
    allowedSenderAddresses: addresses.optional(),
});

/** The wrangler item's fields, snake_case, from a declared binding (or the reverse, through {@link FIELDS}). */
const FIELDS = [
    ["destinationAddress", "destination_address"],
    ["allowedDestinationAddresses", "allowed_destination_addresses"],
    ["allowedSenderAddresses", "allowed_sender_addresses"],
] as const;

/** The `sendEmail` binding kind. */
export const sendEmail = defineBindingKind({
    kind: "sendEmail",
    schema,
    docs: {
        title: "Email sending (Email Routing)",
        resource: "none: verified addresses of the account's Email Routing",
        wranglerKey: "send_email",
        url: "https://developers.cloudflare.com/email-routing/email-workers/send-email-workers/",
    },
    check: (binding, ctx) => binding.destinationAddress !== undefined && binding.allowedDestinationAddresses !== undefined
        ? [{ path: ctx.at("allowedDestinationAddresses"), message: "set either destinationAddress or allowedDestinationAddresses, not both (Cloudflare accepts one)" }]
        : [],
    scriptBinding: (binding, ctx) => ({
        name: ctx.name,
        type: "send_email",
        ...(binding.destinationAddress === undefined ? {} : { destinationAddress: binding.destinationAddress }),
        ...(binding.allowedDestinationAddresses === undefined ? {} : { allowedDestinationAddresses: [...binding.allowedDestinationAddresses] }),
        ...(binding.allowedSenderAddresses === undefined ? {} : { allowedSenderAddresses: [...binding.allowedSenderAddresses] }),
    }),
    wrangler: (binding, ctx) => addWranglerEntry(ctx.config, ["send_email"], {
        name: ctx.name,
        ...Object.fromEntries(FIELDS.flatMap(([field, key]) => binding[field] === undefined ? [] : [[key, binding[field]]])),
    }),
    import: {
        path: ["send_email"],
        shape: "list",
        nameField: "name",
        knownKeys: ["name", ...FIELDS.map(([, key]) => key)],
        unsupportedReason: LOCAL_DEV_REASON,
        map: (item, ctx) => {
            const value = item.value as Record<string, unknown>;
            const binding: Record<string, unknown> = { kind: "sendEmail" };
            for (const [field, key] of FIELDS) {
                if (value[key] === undefined) continue;
                const parsed = schema.shape[field].safeParse(value[key]);
                if (!parsed.success) {
                    ctx.note([key], "unsupported", `${JSON.stringify(value[key])} is not ${field === "destinationAddress" ? "an email address" : "a list of email addresses"}; binding not imported`);
                    return undefined;
                }
                binding[field] = parsed.data;
            }
            return binding as z.input<typeof schema>;
        },
    },
    health: {
        description: "the binding has `send()` (nothing is sent)",
        run: (binding) => checkBindingMethods(binding, ["send"], "a send_email binding"),
    },
    summary: (binding) => binding.destinationAddress ?? binding.allowedDestinationAddresses?.join(", "),
    policy: { scriptBindingTypes: ["send_email"] },
});
